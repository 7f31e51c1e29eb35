from __future__ import annotations

from datetime import datetime

import aiosqlite

from flows.address import Address
from flows.records import NeedChange, NeedStatus, TicketNeed

_SELECT = """
    SELECT n.id, n.ticket_id, n.code, n.status, n.recorded_at, n.recorded_by, n.updated_at,
           o.text AS note
    FROM ticket_needs n LEFT JOIN ticket_need_notes o ON o.need_id = n.id
"""


class NeedRepo:
    """Needs and problems recorded on tickets (migration 0008): :class:`flows.ports.TicketNeeds`.

    The code and status rows are anonymous and outlive the family's details; the note sits
    in its own table that the details' deletion empties."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record_need(
        self, ticket_id: int, code: str, note: str | None, at: datetime, by: Address
    ) -> TicketNeed | None:
        async with self._conn.execute(
            """INSERT INTO ticket_needs
               (ticket_id, code, status, recorded_at, recorded_by, updated_at)
               VALUES (?, ?, 'open', ?, ?, ?) ON CONFLICT (ticket_id, code) DO NOTHING""",
            (ticket_id, code, at.isoformat(), by, at.isoformat()),
        ) as cur:
            if cur.rowcount == 0:
                return None
            need_id = cur.lastrowid
        assert need_id is not None
        await self._change(need_id, "open", at, by)
        if note:
            await self.set_need_note(need_id, note)
        return await self.need(need_id)

    async def set_need_note(self, need_id: int, note: str) -> bool:
        async with self._conn.execute(
            """INSERT INTO ticket_need_notes (need_id, ticket_id, text)
               SELECT n.id, d.ticket_id, ? FROM ticket_needs n
               JOIN ticket_details d ON d.ticket_id = n.ticket_id WHERE n.id = ?
               ON CONFLICT (need_id) DO UPDATE SET text = excluded.text""",
            (note, need_id),
        ) as cur:
            return cur.rowcount > 0

    async def set_need_status(
        self, need_id: int, status: NeedStatus, at: datetime, by: Address
    ) -> bool:
        async with self._conn.execute(
            "UPDATE ticket_needs SET status = ?, updated_at = ? WHERE id = ? AND status != ?",
            (status, at.isoformat(), need_id, status),
        ) as cur:
            if cur.rowcount == 0:
                return False
        await self._change(need_id, status, at, by)
        return True

    async def _change(self, need_id: int, status: NeedStatus, at: datetime, by: Address) -> None:
        await self._conn.execute(
            "INSERT INTO ticket_need_changes (need_id, at, status, actor) VALUES (?, ?, ?, ?)",
            (need_id, at.isoformat(), status, by),
        )

    async def need(self, need_id: int) -> TicketNeed | None:
        async with self._conn.execute(f"{_SELECT} WHERE n.id = ?", (need_id,)) as cur:
            row = await cur.fetchone()
        return TicketNeed.model_validate(dict(row)) if row else None

    async def needs_of(self, ticket_id: int) -> list[TicketNeed]:
        async with self._conn.execute(
            f"{_SELECT} WHERE n.ticket_id = ? ORDER BY n.id", (ticket_id,)
        ) as cur:
            return [TicketNeed.model_validate(dict(row)) for row in await cur.fetchall()]

    async def need_changes(self, ticket_id: int) -> list[NeedChange]:
        async with self._conn.execute(
            """SELECT c.need_id, c.at, c.status, c.actor FROM ticket_need_changes c
               JOIN ticket_needs n ON n.id = c.need_id WHERE n.ticket_id = ? ORDER BY c.id""",
            (ticket_id,),
        ) as cur:
            return [NeedChange.model_validate(dict(row)) for row in await cur.fetchall()]
