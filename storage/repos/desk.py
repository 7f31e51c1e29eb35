from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from flows.address import Address
from flows.records import (
    TICKET_ASSIGNED,
    TICKET_CLOSED,
    TICKET_NEW,
    DeskTicket,
    EntryKind,
    TicketDetails,
    TicketEntry,
    TicketOutcome,
)

_SELECT = """
    SELECT t.id, t.reference, t.created_at, t.status, t.office, t.priority, t.assignee,
           t.claimed_at, COALESCE(t.waiting_since, t.created_at) AS waiting_since,
           t.group_message_id, t.closed_at, t.outcome, t.reminded_at, t.escalated_at,
           t.referred_by,
           d.ticket_id AS has_details, d.subject, d.channel, d.chat_id, d.locale,
           d.share_with_departments, d.answers
    FROM tickets t LEFT JOIN ticket_details d ON d.ticket_id = t.id
"""
_OPEN = f"('{TICKET_NEW}', '{TICKET_ASSIGNED}')"


def _ticket(row: aiosqlite.Row) -> DeskTicket:
    # One row carries both parts; each model takes the columns it names.
    fields = dict(row)
    details = None
    if fields["has_details"] is not None:
        details = TicketDetails.model_validate(
            {**fields, "answers": json.loads(fields["answers"])}
        )
    return DeskTicket.model_validate({**fields, "details": details})


class DeskRepo:
    """Tickets as the coordinators work on them (migration 0005): every job of
    :class:`flows.ports.DeskStore`, from lookups to the group card.

    Every change is one conditional UPDATE that names the state it expects, so when two
    coordinators press "claim" at once exactly one row changes and the other sees 0.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, where: str, *args: object) -> DeskTicket | None:
        async with self._conn.execute(f"{_SELECT} WHERE {where}", args) as cur:
            row = await cur.fetchone()
        return _ticket(row) if row else None

    async def _many(self, where: str, *args: object) -> list[DeskTicket]:
        async with self._conn.execute(f"{_SELECT} WHERE {where}", args) as cur:
            return [_ticket(row) for row in await cur.fetchall()]

    async def get(self, ticket_id: int) -> DeskTicket | None:
        return await self._one("t.id = ?", ticket_id)

    async def by_reference(self, reference: str) -> DeskTicket | None:
        return await self._one("t.reference = ?", reference)

    async def open_tickets(self) -> list[DeskTicket]:
        return await self._many(f"t.status IN {_OPEN} ORDER BY t.id")

    async def with_details(self) -> list[DeskTicket]:
        return await self._many("d.ticket_id IS NOT NULL ORDER BY t.id")

    async def on_group_message(self, message_id: int) -> list[DeskTicket]:
        return await self._many("t.group_message_id = ? ORDER BY t.id", message_id)

    async def latest_for_subject(self, subject: str) -> DeskTicket | None:
        return await self._one(
            f"d.subject = ? ORDER BY t.status IN {_OPEN} DESC, t.id DESC LIMIT 1", subject
        )

    async def _update(self, sql: str, *args: object) -> bool:
        cur = await self._conn.execute(sql, args)
        return cur.rowcount == 1

    async def claim(self, ticket_id: int, user_id: Address, at: datetime) -> bool:
        return await self._update(
            f"""UPDATE tickets SET assignee = ?, claimed_at = ?, status = '{TICKET_ASSIGNED}'
                WHERE id = ? AND assignee IS NULL AND status = '{TICKET_NEW}'""",
            user_id, at.isoformat(), ticket_id,
        )

    async def reassign(
        self, ticket_id: int, *, expected: Address | None, to: Address | None, at: datetime
    ) -> bool:
        if to is None:
            # Back to the queue: it waits afresh, with its own reminder and escalation.
            return await self._update(
                f"""UPDATE tickets SET assignee = NULL, claimed_at = NULL,
                        status = '{TICKET_NEW}', waiting_since = ?, reminded_at = NULL,
                        escalated_at = NULL
                    WHERE id = ? AND assignee IS ? AND status IN {_OPEN}""",
                at.isoformat(), ticket_id, expected,
            )
        return await self._update(
            f"""UPDATE tickets SET assignee = ?, claimed_at = ?, status = '{TICKET_ASSIGNED}'
                WHERE id = ? AND assignee IS ? AND status IN {_OPEN}""",
            to, at.isoformat(), ticket_id, expected,
        )

    async def close(self, ticket_id: int, outcome: TicketOutcome, at: datetime) -> bool:
        return await self._update(
            f"""UPDATE tickets SET status = '{TICKET_CLOSED}', closed_at = ?, outcome = ?
                WHERE id = ? AND status IN {_OPEN}""",
            at.isoformat(), outcome, ticket_id,
        )

    async def reopen(self, ticket_id: int, at: datetime) -> bool:
        return await self._update(
            f"""UPDATE tickets SET
                    status = CASE WHEN assignee IS NULL THEN '{TICKET_NEW}'
                                  ELSE '{TICKET_ASSIGNED}' END,
                    closed_at = NULL, outcome = NULL, reopened_at = ?, waiting_since = ?,
                    reminded_at = NULL, escalated_at = NULL
                WHERE id = ? AND status = '{TICKET_CLOSED}'
                  AND EXISTS (SELECT 1 FROM ticket_details d WHERE d.ticket_id = tickets.id)""",
            at.isoformat(), at.isoformat(), ticket_id,
        )

    async def add_entry(
        self, ticket_id: int, kind: EntryKind, text: str, at: datetime,
        author: Address | None = None,
    ) -> int:
        cur = await self._conn.execute(
            "INSERT INTO ticket_entries (ticket_id, at, kind, author, text) VALUES (?, ?, ?, ?, ?)",
            (ticket_id, at.isoformat(), kind, author, text),
        )
        counter = {"family": "family_messages", "coordinator": "coordinator_messages"}.get(kind)
        if counter:
            await self._conn.execute(
                f"UPDATE tickets SET {counter} = {counter} + 1 WHERE id = ?", (ticket_id,)
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def entries(self, ticket_id: int, limit: int) -> list[TicketEntry]:
        async with self._conn.execute(
            """SELECT * FROM (SELECT * FROM ticket_entries WHERE ticket_id = ?
                              ORDER BY id DESC LIMIT ?) ORDER BY id""",
            (ticket_id, limit),
        ) as cur:
            return [_entry(row) for row in await cur.fetchall()]

    async def entry(self, entry_id: int) -> TicketEntry | None:
        async with self._conn.execute(
            "SELECT * FROM ticket_entries WHERE id = ?", (entry_id,)
        ) as cur:
            row = await cur.fetchone()
        return _entry(row) if row else None

    async def set_group_message(self, ticket_ids: list[int], message_id: int) -> None:
        await self._conn.executemany(
            "UPDATE tickets SET group_message_id = ? WHERE id = ?",
            [(message_id, ticket_id) for ticket_id in ticket_ids],
        )

    async def mark_reminded(self, ticket_id: int, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE tickets SET reminded_at = ? WHERE id = ?", (at.isoformat(), ticket_id)
        )

    async def mark_escalated(self, ticket_id: int, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE tickets SET escalated_at = ? WHERE id = ?", (at.isoformat(), ticket_id)
        )

    async def notice_pending(self, ticket_id: int) -> bool:
        async with self._conn.execute(
            """SELECT 1 FROM outbox WHERE ticket_id = ? AND kind = 'ticket_new'
                   AND sent_at IS NULL AND failed_at IS NULL LIMIT 1""",
            (ticket_id,),
        ) as cur:
            return await cur.fetchone() is not None


def _entry(row: aiosqlite.Row) -> TicketEntry:
    return TicketEntry.model_validate(dict(row))
