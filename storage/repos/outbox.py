from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from flows.ports import OutboxMessage


class OutboxRepo:
    """Notifications for the coordinators, written with what they announce, sent later."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def enqueue(self, message: OutboxMessage, at: datetime) -> int:
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
