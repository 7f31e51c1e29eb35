from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite


class UpdateRepo:
    """Remembers which Telegram updates were handled, so a redelivery changes nothing.

    Also keeps a handled update's answers until they are sent (migration 0006): a crash
    between saving a step and sending its answers must not leave a parent without one.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def claim(self, update_id: int, at: datetime) -> bool:
        """True the first time an update is seen, False on every later delivery."""
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, handled_at) VALUES (?, ?)",
            (update_id, at.isoformat()),
        )
        return cur.rowcount == 1

    async def keep_replies(self, update_id: int, replies: str) -> None:
        """Keep the answers (JSON) of a claimed update until ``replies_sent``."""
        await self._conn.execute(
            "UPDATE processed_updates SET replies = ? WHERE update_id = ?", (replies, update_id)
        )

    async def unsent_replies(self, update_id: int) -> str | None:
        async with self._conn.execute(
            "SELECT replies FROM processed_updates WHERE update_id = ?", (update_id,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def replies_sent(self, *update_ids: int) -> None:
        await self._conn.executemany(
            "UPDATE processed_updates SET replies = NULL WHERE update_id = ?"
            " AND replies IS NOT NULL",
            [(update_id,) for update_id in update_ids],
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
