from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite


class UpdateRepo:
    """Remembers which events were handled, so a redelivery changes nothing.

    An event's key names its channel and the channel's own id of it (``telegram:<update_id>``,
    ``line:<webhookEventId>``): ids of different channels never meet.

    Also keeps a handled update's answers until they are sent (migration 0006): a crash
    between saving a step and sending its answers must not leave a parent without one.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def claim(self, key: str, at: datetime) -> bool:
        """True the first time an event is seen, False on every later delivery."""
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, handled_at) VALUES (?, ?)",
            (key, at.isoformat()),
        )
        return cur.rowcount == 1

    async def keep_replies(self, key: str, replies: str) -> None:
        """Keep the answers (JSON) of a claimed event until ``replies_sent``."""
        await self._conn.execute(
            "UPDATE processed_updates SET replies = ? WHERE update_id = ?", (replies, key)
        )

    async def unsent_replies(self, key: str) -> str | None:
        async with self._conn.execute(
            "SELECT replies FROM processed_updates WHERE update_id = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def replies_sent(self, *keys: str) -> None:
        await self._conn.executemany(
            "UPDATE processed_updates SET replies = NULL WHERE update_id = ?"
            " AND replies IS NOT NULL",
            [(key,) for key in keys],
        )

    async def forget_before(self, cutoff: datetime) -> int:
        # Telegram keeps undelivered updates for 24 hours; a week's memory is ample.
        cur = await self._conn.execute(
            "DELETE FROM processed_updates WHERE handled_at < ?", (cutoff.isoformat(),)
        )
        return cur.rowcount

    async def drop_replies_before(self, cutoff: datetime) -> int:
        """Answers that can no longer be asked for again (Telegram forgot the update):
        they may quote what a family wrote, so they are not kept for the week."""
        cur = await self._conn.execute(
            "UPDATE processed_updates SET replies = NULL WHERE replies IS NOT NULL"
            " AND handled_at < ?",
            (cutoff.isoformat(),),
        )
        return cur.rowcount

    @staticmethod
    def retention() -> timedelta:
        return timedelta(days=7)

    @staticmethod
    def redelivery_window() -> timedelta:
        # How long Telegram keeps an update it has not seen confirmed.
        return timedelta(days=1)
