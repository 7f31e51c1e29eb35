from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite


class UpdateRepo:
    """Remembers which Telegram updates were handled, so a redelivery changes nothing."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def claim(self, update_id: int, at: datetime) -> bool:
        """True the first time an update is seen, False on every later delivery."""
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, handled_at) VALUES (?, ?)",
            (update_id, at.isoformat()),
        )
        return cur.rowcount == 1

    async def forget_before(self, cutoff: datetime) -> int:
        # Telegram keeps undelivered updates for 24 hours; a week's memory is ample.
        cur = await self._conn.execute(
            "DELETE FROM processed_updates WHERE handled_at < ?", (cutoff.isoformat(),)
        )
        return cur.rowcount

    @staticmethod
    def retention() -> timedelta:
        return timedelta(days=7)
