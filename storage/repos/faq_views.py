"""Which FAQ answers were shown (migration 0004): topic, language, time and how it was asked."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from content.base import Locale
from flows.records import FaqViewHow


class FaqViewRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(self, *, at: datetime, locale: Locale, topic: str, how: FaqViewHow) -> None:
        await self._conn.execute(
            "INSERT INTO faq_views (at, locale, topic, how) VALUES (?, ?, ?, ?)",
            (at.isoformat(), locale, topic, how),
        )
