from __future__ import annotations

from datetime import datetime

import aiosqlite

from flows.model import Locale
from flows.ports import MatchMode

# Long stories are kept whole enough to learn from, but bounded.
MAX_TEXT = 2000


class UnansweredRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self,
        *,
        at: datetime,
        locale: Locale,
        text: str,
        mode: MatchMode,
        best_topic: str | None,
        confidence: float,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO unanswered (at, locale, text, mode, best_topic, confidence)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (at.isoformat(), locale, text[:MAX_TEXT], mode, best_topic, confidence),
        )

    async def since(self, start: datetime) -> list[dict[str, object]]:
        async with self._conn.execute(
            "SELECT at, locale, text, mode, best_topic, confidence FROM unanswered"
            " WHERE at >= ? ORDER BY at",
            (start.isoformat(),),
        ) as cur:
            return [dict(row) for row in await cur.fetchall()]
