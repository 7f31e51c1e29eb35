from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from flows.records import TICKET_CLOSED, TICKET_NEW, TICKET_WITHDRAWN, NewTicket, TicketRecord
from storage.repos.erasure import Erasure


class TicketRepo:
    """Tickets in two parts: an anonymous row that stays, and personal details that can go."""

    def __init__(self, conn: aiosqlite.Connection, erasure: Erasure) -> None:
        self._conn = conn
        self._erasure = erasure

    async def next_number(self) -> int:
        async with self._conn.execute(
            "UPDATE ticket_numbers SET last = last + 1 WHERE id = 1 RETURNING last"
        ) as cur:
            row = await cur.fetchone()
        assert row is not None, "ticket_numbers has no row; the migration did not run"
        return int(row[0])

    async def create(self, ticket: NewTicket) -> int:
        cur = await self._conn.execute(
            """INSERT INTO tickets (number, reference, created_at, status, office, priority,
                                   referred_by)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                ticket.number,
                ticket.reference,
                ticket.created_at.isoformat(),
                TICKET_NEW,
                ticket.office,
                ticket.priority,
                ticket.referred_by,
            ),
        )
        ticket_id = cur.lastrowid
        assert ticket_id is not None
        await self._conn.execute(
            """INSERT INTO ticket_details (ticket_id, subject, channel, chat_id, locale,
                   consent_id, share_with_departments, answers)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                ticket_id,
                ticket.subject,
                ticket.channel,
                ticket.chat_id,
                ticket.locale,
                ticket.consent_id,
                int(ticket.share_with_departments),
                json.dumps(ticket.answers, ensure_ascii=False),
            ),
        )
        return ticket_id

    async def for_subject(self, subject: str) -> list[TicketRecord]:
        async with self._conn.execute(
            """SELECT t.id, t.reference, t.created_at, t.status, t.office, t.priority,
                      t.assignee, d.share_with_departments, d.answers
               FROM tickets t JOIN ticket_details d ON d.ticket_id = t.id
               WHERE d.subject = ? ORDER BY t.id""",
            (subject,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            TicketRecord.model_validate({**dict(row), "answers": json.loads(row["answers"])})
            for row in rows
        ]

    async def withdraw(self, ticket_id: int, at: datetime) -> None:
        await self._conn.execute(
            """UPDATE tickets SET status = ?, withdrawn_at = ?
               WHERE id = ? AND status NOT IN (?, ?)""",
            (TICKET_WITHDRAWN, at.isoformat(), ticket_id, TICKET_CLOSED, TICKET_WITHDRAWN),
        )
        await self._delete_details([ticket_id], at)

    async def close(self, ticket_id: int, at: datetime) -> None:
        """Mark a ticket closed; its retention period starts now."""
        await self._conn.execute(
            "UPDATE tickets SET status = ?, closed_at = ? WHERE id = ? AND status != ?",
            (TICKET_CLOSED, at.isoformat(), ticket_id, TICKET_WITHDRAWN),
        )

    async def purge_closed_before(self, cutoff: datetime, at: datetime) -> int:
        """Delete the personal details of tickets closed before ``cutoff``; return how many."""
        async with self._conn.execute(
            """SELECT t.id FROM tickets t JOIN ticket_details d ON d.ticket_id = t.id
               WHERE t.status = ? AND t.closed_at < ?""",
            (TICKET_CLOSED, cutoff.isoformat()),
        ) as cur:
            ids = [int(row[0]) for row in await cur.fetchall()]
        await self._delete_details(ids, at)
        return len(ids)

    async def _delete_details(self, ticket_ids: list[int], at: datetime) -> None:
        if ticket_ids:
            self._erasure.note()
        for ticket_id in ticket_ids:
            await self._conn.execute("DELETE FROM ticket_details WHERE ticket_id = ?", (ticket_id,))
            await self._conn.execute(
                "UPDATE tickets SET details_deleted_at = ? WHERE id = ?",
                (at.isoformat(), ticket_id),
            )
