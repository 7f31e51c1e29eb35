from __future__ import annotations

from datetime import datetime

import aiosqlite

from content.base import Locale
from content.records import MatchMode, UnansweredQuestion

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

    async def recent(self, start: datetime, limit: int) -> list[UnansweredQuestion]:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM unanswered WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?",
            (start.isoformat(), limit),
        ) as cur:
            return [_question(row) for row in await cur.fetchall()]

    async def get(self, question_id: int) -> UnansweredQuestion | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM unanswered WHERE id = ?", (question_id,)
        ) as cur:
            row = await cur.fetchone()
        return _question(row) if row else None


_COLUMNS = "id, at, locale, text, mode, best_topic, confidence"


def _question(row: aiosqlite.Row) -> UnansweredQuestion:
    return UnansweredQuestion.model_validate(dict(row))
