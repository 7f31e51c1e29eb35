from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from flows.records import OutboxMessage, PendingMessage


class OutboxRepo:
    """Notifications for the coordinators, written with what they announce, sent later."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # Rows written in this transaction: the step then wakes the outbox worker.
        self.enqueued = 0

    async def enqueue(self, message: OutboxMessage, at: datetime) -> int:
        self.enqueued += 1
        cur = await self._conn.execute(
            """INSERT INTO outbox (created_at, kind, ticket_id, office, recipient, payload,
                   next_attempt_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                at.isoformat(),
                message.kind,
                message.ticket_id,
                message.office,
                message.recipient,
                json.dumps(message.payload, ensure_ascii=False),
                at.isoformat(),
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def pending(self, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
        """Unsent messages whose next attempt is due, oldest first."""
        async with self._conn.execute(
            """SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
               ORDER BY id LIMIT ?""",
            (now.isoformat(), limit),
        ) as cur:
            rows = await cur.fetchall()
        return [{**dict(row), "payload": json.loads(row["payload"])} for row in rows]

    # --- the worker's side (bot/outbox_worker.py) -------------------------------------

    async def due(self, now: datetime, limit: int) -> list[PendingMessage]:
        """Rows to try now, oldest first: unsent, not given up, next attempt due."""
        async with self._conn.execute(
            """SELECT * FROM outbox
               WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
               ORDER BY id LIMIT ?""",
            (now.isoformat(), limit),
        ) as cur:
            rows = await cur.fetchall()
        return [
            PendingMessage.model_validate({**dict(row), "payload": json.loads(row["payload"])})
            for row in rows
        ]

    async def next_attempt_after(self, now: datetime) -> datetime | None:
        """When the earliest row that is not due yet becomes due."""
        async with self._conn.execute(
            """SELECT MIN(next_attempt_at) FROM outbox
               WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > ?""",
            (now.isoformat(),),
        ) as cur:
            row = await cur.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def set_batch(self, ids: list[int], batch: str) -> None:
        await self._conn.executemany(
            "UPDATE outbox SET batch = ? WHERE id = ?", [(batch, i) for i in ids]
        )

    async def mark_sent(self, ids: list[int], at: datetime, message_id: int | None) -> None:
        await self._conn.executemany(
            """UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1
               WHERE id = ? AND sent_at IS NULL""",
            [(at.isoformat(), message_id, i) for i in ids],
        )

    async def retry_later(self, ids: list[int], at: datetime, error: str) -> None:
        """Count a failed attempt; ``at`` is when to try again. ``error`` is a type name only."""
        await self._conn.executemany(
            """UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
               WHERE id = ?""",
            [(at.isoformat(), error, i) for i in ids],
        )

    async def give_up(self, ids: list[int], at: datetime, error: str) -> None:
        await self._conn.executemany(
            "UPDATE outbox SET failed_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL",
            [(at.isoformat(), error, i) for i in ids],
        )
