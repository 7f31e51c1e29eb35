from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from content.base import LOCALES
from flows.model import Session


class SessionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def load(self, key: str) -> Session:
        async with self._conn.execute(
            "SELECT state, locale, data, updated_at FROM sessions WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return Session(key=key)
        locale = row["locale"] if row["locale"] in LOCALES else None
        return Session(
            key=key,
            state=row["state"],
            locale=locale,
            data=json.loads(row["data"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )

    async def save(self, session: Session, at: datetime) -> None:
        await self._conn.execute(
            """INSERT INTO sessions (key, state, locale, data, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET state = excluded.state, locale = excluded.locale,
                   data = excluded.data, updated_at = excluded.updated_at""",
            (
                session.key,
                session.state,
                session.locale,
                json.dumps(session.data, ensure_ascii=False),
                at.isoformat(),
            ),
        )

    async def delete(self, key: str) -> None:
        await self._conn.execute("DELETE FROM sessions WHERE key = ?", (key,))
