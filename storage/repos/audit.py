from __future__ import annotations

from datetime import datetime

import aiosqlite


class AuditRepo:
    """Append-only record of reads and changes of personal data, for accountability."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def write(
        self, *, at: datetime, actor: str, action: str, subject: str | None = None,
        detail: str | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            (at.isoformat(), actor, action, subject, detail),
        )
