"""The append-only log of staff changes to FAQ entries (migration 0004)."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from content.records import FaqChange
from flows.address import Address
from flows.records import RecordedChange

_COLUMNS = "id, at, actor, entry_id, locale, field, old_value, new_value, reverted_of"


def _change(row: aiosqlite.Row) -> RecordedChange:
    return RecordedChange.model_validate(
        {**dict(row), "old": json.loads(row["old_value"]), "new": json.loads(row["new_value"])}
    )


class ContentChangeRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self, change: FaqChange, *, at: datetime, actor: Address, reverted_of: int | None = None
    ) -> int:
        cur = await self._conn.execute(
            f"INSERT INTO content_changes ({_COLUMNS.removeprefix('id, ')})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                at.isoformat(),
                actor,
                change.entry_id,
                change.locale,
                change.field,
                json.dumps(change.old, ensure_ascii=False),
                json.dumps(change.new, ensure_ascii=False),
                reverted_of,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def history(self, entry_id: str, limit: int) -> list[RecordedChange]:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM content_changes WHERE entry_id = ?"
            " ORDER BY id DESC LIMIT ?",
            (entry_id, limit),
        ) as cur:
            return [_change(row) for row in await cur.fetchall()]

    async def last_undoable(self, entry_id: str) -> RecordedChange | None:
        async with self._conn.execute(
            f"""SELECT {_COLUMNS} FROM content_changes c
                WHERE c.entry_id = ? AND c.reverted_of IS NULL
                  AND NOT EXISTS (SELECT 1 FROM content_changes u WHERE u.reverted_of = c.id)
                ORDER BY c.id DESC LIMIT 1""",
            (entry_id,),
        ) as cur:
            row = await cur.fetchone()
        return _change(row) if row else None
