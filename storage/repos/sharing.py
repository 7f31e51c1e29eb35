"""What the coordinators shared with related departments, and the families the desk knows
(migration 0010)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from flows.records import DeskTicket, NewShare, ShareRecord
from storage.repos.desk import DeskRepo

_SHARES = """
    SELECT s.id, s.at, s.ticket_id, s.department, s.actor, s.consent_id, s.recipients,
           t.reference
    FROM shares s JOIN tickets t ON t.id = s.ticket_id
"""


def _share(row: aiosqlite.Row) -> ShareRecord:
    return ShareRecord.model_validate(dict(row))


class ShareRepo:
    """Append-only: a share, once made, is a fact the family may ask about."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(self, share: NewShare) -> int:
        cur = await self._conn.execute(
            """INSERT INTO shares (at, ticket_id, department, actor, consent_id, recipients)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (share.at.isoformat(), share.ticket_id, share.department, share.actor,
             share.consent_id, share.recipients),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def for_ticket(self, ticket_id: int) -> list[ShareRecord]:
        async with self._conn.execute(f"{_SHARES} WHERE s.ticket_id = ? ORDER BY s.id",
                                      (ticket_id,)) as cur:
            return [_share(row) for row in await cur.fetchall()]

    async def for_subject(self, subject: str) -> list[ShareRecord]:
        async with self._conn.execute(
            f"""{_SHARES} JOIN ticket_details d ON d.ticket_id = s.ticket_id
                WHERE d.subject = ? ORDER BY s.id""",
            (subject,),
        ) as cur:
            return [_share(row) for row in await cur.fetchall()]


class FamilyRepo:
    """The tickets whose details are still stored, for the coordinators' whole picture."""

    def __init__(self, conn: aiosqlite.Connection, desk: DeskRepo) -> None:
        self._conn = conn
        self._desk = desk

    async def known(self) -> list[DeskTicket]:
        return await self._desk.with_details()

    async def last_contacts(self) -> dict[int, datetime]:
        async with self._conn.execute(
            """SELECT e.ticket_id, MAX(e.at) AS at FROM ticket_entries e
               WHERE e.kind IN ('family', 'coordinator') GROUP BY e.ticket_id"""
        ) as cur:
            return {int(row["ticket_id"]): datetime.fromisoformat(row["at"])
                    for row in await cur.fetchall()}
