"""LINE's webhook events between their arrival and their answers (migration 0012).

The webhook keeps each event here before LINE is told it arrived; the LINE driver then
handles them in the order they came (bot/line/inbox.py) and marks each handled once it is
answered, which drops its JSON. Also who unfollowed the account, so nothing more is pushed
to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite


@dataclass(frozen=True)
class PendingEvent:
    """An event kept but not handled yet: its JSON as LINE sent it."""

    event_id: str
    received_at: datetime
    raw: str


class LineInboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def keep(self, event_id: str, raw: str, at: datetime) -> bool:
        """Keep an arriving event; False when it was kept before (LINE redelivered it)."""
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO line_inbox (event_id, received_at, raw) VALUES (?, ?, ?)",
            (event_id, at.isoformat(), raw),
        )
        return cur.rowcount == 1

    async def pending(self, limit: int = 50) -> list[PendingEvent]:
        """Events not handled yet, oldest first."""
        async with self._conn.execute(
            "SELECT event_id, received_at, raw FROM line_inbox WHERE handled_at IS NULL"
            " ORDER BY seq LIMIT ?",
            (limit,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            PendingEvent(r["event_id"], datetime.fromisoformat(r["received_at"]), r["raw"] or "{}")
            for r in rows
        ]

    async def handled(self, event_id: str, at: datetime) -> None:
        """The event is handled and answered: its JSON, with what the family wrote, goes."""
        await self._conn.execute(
            "UPDATE line_inbox SET handled_at = ?, raw = NULL WHERE event_id = ?",
            (at.isoformat(), event_id),
        )

    async def is_handled(self, event_id: str) -> bool:
        async with self._conn.execute(
            "SELECT handled_at FROM line_inbox WHERE event_id = ?", (event_id,)
        ) as cur:
            row = await cur.fetchone()
        return row is not None and row["handled_at"] is not None

    async def forget_before(self, cutoff: datetime) -> int:
        """Forget handled events received before ``cutoff``; unhandled ones are kept."""
        cur = await self._conn.execute(
            "DELETE FROM line_inbox WHERE handled_at IS NOT NULL AND received_at < ?",
            (cutoff.isoformat(),),
        )
        return cur.rowcount

    async def unfollowed(self, user_id: str, at: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO line_unfollowed (user_id, at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET at = excluded.at",
            (user_id, at.isoformat()),
        )

    async def followed(self, user_id: str) -> None:
        await self._conn.execute("DELETE FROM line_unfollowed WHERE user_id = ?", (user_id,))

    async def has_unfollowed(self, user_id: str) -> bool:
        """Whether the family blocked the account: pushes to them are given up."""
        async with self._conn.execute(
            "SELECT 1 FROM line_unfollowed WHERE user_id = ?", (user_id,)
        ) as cur:
            return await cur.fetchone() is not None

    async def all_unfollowed(self) -> list[str]:
        async with self._conn.execute("SELECT user_id FROM line_unfollowed") as cur:
            return [row["user_id"] for row in await cur.fetchall()]

    @staticmethod
    def retention() -> timedelta:
        # LINE redelivers an unacknowledged event for a while (hours at most); a week of
        # ids is ample, as for Telegram's updates.
        return timedelta(days=7)
