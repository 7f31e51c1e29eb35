from __future__ import annotations

from datetime import datetime

import aiosqlite

from flows.records import SentMilestone
from storage.repos.erasure import Erasure


class MilestoneRepo:
    """The milestones sent to each family (migration 0007)."""

    def __init__(self, conn: aiosqlite.Connection, erasure: Erasure) -> None:
        self._conn = conn
        self._erasure = erasure

    async def subjects_with_age_information(self) -> list[str]:
        async with self._conn.execute(
            "SELECT DISTINCT subject FROM consents WHERE age_information = 1 ORDER BY subject"
        ) as cur:
            return [str(row[0]) for row in await cur.fetchall()]

    async def sent(self, subject: str) -> list[SentMilestone]:
        async with self._conn.execute(
            "SELECT milestone_id, at FROM milestones_sent WHERE subject = ? ORDER BY at, rowid",
            (subject,),
        ) as cur:
            rows = await cur.fetchall()
        return [SentMilestone.model_validate(dict(row)) for row in rows]

    async def record(self, subject: str, milestone_id: str, at: datetime) -> bool:
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO milestones_sent (subject, milestone_id, at) VALUES (?, ?, ?)",
            (subject, milestone_id, at.isoformat()),
        )
        return cur.rowcount == 1

    async def forget(self, subject: str) -> int:
        cur = await self._conn.execute("DELETE FROM milestones_sent WHERE subject = ?",
                                       (subject,))
        if cur.rowcount:
            self._erasure.note()
        return cur.rowcount
