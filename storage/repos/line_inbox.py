"""LINE's webhook events between their arrival and their answers (migration 0012).

The webhook keeps each event here before LINE is told it arrived; the LINE driver then
handles them in the order they came, marking each handled in the transaction that saves its
step, and keeps the step's answers until they are sent, as :class:`UpdateRepo` does for
Telegram. Also who unfollowed the account, so nothing more is pushed to them.
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


@dataclass(frozen=True)
class UnsentAnswers:
    """A handled event whose answers did not go out yet (the process stopped in between)."""

    event_id: str
    received_at: datetime
    user_id: str
    reply_token: str | None
    replies: str


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

    async def is_handled(self, event_id: str) -> bool:
        async with self._conn.execute(
            "SELECT handled_at FROM line_inbox WHERE event_id = ?", (event_id,)
        ) as cur:
            row = await cur.fetchone()
        return row is not None and row["handled_at"] is not None

    async def handled(
        self,
        event_id: str,
        at: datetime,
        *,
        user_id: str | None = None,
        reply_token: str | None = None,
        replies: str | None = None,
    ) -> None:
        """Mark an event handled and drop its JSON; keep its answers (JSON) until sent."""
        keep = replies is not None
        await self._conn.execute(
            "UPDATE line_inbox SET handled_at = ?, raw = NULL, user_id = ?, reply_token = ?,"
            " replies = ? WHERE event_id = ?",
            (
                at.isoformat(),
                user_id if keep else None,
                reply_token if keep else None,
                replies,
                event_id,
            ),
        )

    async def unsent_replies(self, event_id: str) -> str | None:
        async with self._conn.execute(
            "SELECT replies FROM line_inbox WHERE event_id = ?", (event_id,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else row["replies"]

    async def unsent(self, limit: int = 50) -> list[UnsentAnswers]:
        """Handled events whose answers are still to be sent, oldest first."""
        async with self._conn.execute(
            "SELECT event_id, received_at, user_id, reply_token, replies FROM line_inbox"
            " WHERE replies IS NOT NULL ORDER BY seq LIMIT ?",
            (limit,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            UnsentAnswers(
                r["event_id"],
                datetime.fromisoformat(r["received_at"]),
                r["user_id"] or "",
                r["reply_token"],
                r["replies"],
            )
            for r in rows
        ]

    async def replies_sent(self, *event_ids: str) -> None:
        """The answers went out (or were given up): forget them, the family's id and token."""
        await self._conn.executemany(
            "UPDATE line_inbox SET replies = NULL, user_id = NULL, reply_token = NULL"
            " WHERE event_id = ?",
            [(event_id,) for event_id in event_ids],
        )

    async def forget_before(self, cutoff: datetime) -> int:
        """Forget handled events received before ``cutoff``; unhandled ones are kept."""
        cur = await self._conn.execute(
            "DELETE FROM line_inbox WHERE handled_at IS NOT NULL AND received_at < ?",
            (cutoff.isoformat(),),
        )
        return cur.rowcount

    async def drop_replies_before(self, cutoff: datetime) -> int:
        """Answers that could not be sent for this long are given up: they may quote a
        family, and a reply days late would only confuse."""
        cur = await self._conn.execute(
            "UPDATE line_inbox SET replies = NULL, user_id = NULL, reply_token = NULL"
            " WHERE replies IS NOT NULL AND received_at < ?",
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

    @staticmethod
    def answer_window() -> timedelta:
        return timedelta(days=1)
