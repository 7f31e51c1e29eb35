"""Families brought by each flyer's source, per day (migration 0009): counts, nobody in them."""

from __future__ import annotations

from datetime import date

import aiosqlite


class ArrivalRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def count(self, source: str, day: date) -> None:
        await self._conn.execute(
            """INSERT INTO arrivals (day, source, families) VALUES (?, ?, 1)
               ON CONFLICT (day, source) DO UPDATE SET families = families + 1""",
            (day.isoformat(), source),
        )
