from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from flows.records import Draft


class DraftRepo:
    """Unfinished requests, one per person, kept apart from the session so they can be
    listed for reminders and deleted on their own."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def load(self, subject: str) -> Draft | None:
        async with self._conn.execute(
            "SELECT * FROM intake_drafts WHERE subject = ?", (subject,)
        ) as cur:
            row = await cur.fetchone()
        return _draft(row) if row is not None else None

    async def save(self, draft: Draft) -> None:
        await self._conn.execute(
            """INSERT INTO intake_drafts (subject, channel, chat_id, locale, consent_id, answers,
                   created_at, updated_at, reminded_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (subject) DO UPDATE SET channel = excluded.channel,
                   chat_id = excluded.chat_id, locale = excluded.locale,
                   consent_id = excluded.consent_id, answers = excluded.answers,
                   updated_at = excluded.updated_at, reminded_at = excluded.reminded_at""",
            (
                draft.subject,
                draft.channel,
                draft.chat_id,
                draft.locale,
                draft.consent_id,
                json.dumps(draft.answers, ensure_ascii=False),
                draft.created_at.isoformat(),
                draft.updated_at.isoformat(),
                draft.reminded_at.isoformat() if draft.reminded_at else None,
            ),
        )

    async def delete(self, subject: str) -> bool:
        cur = await self._conn.execute("DELETE FROM intake_drafts WHERE subject = ?", (subject,))
        return cur.rowcount > 0

    async def idle_since(self, cutoff: datetime) -> list[Draft]:
        """Drafts nobody has touched since ``cutoff``: candidates for a reminder or expiry."""
        async with self._conn.execute(
            "SELECT * FROM intake_drafts WHERE updated_at <= ? ORDER BY updated_at",
            (cutoff.isoformat(),),
        ) as cur:
            return [_draft(row) for row in await cur.fetchall()]

    async def mark_reminded(self, subject: str, at: datetime) -> None:
        # Deliberately leaves updated_at alone: a reminder is not activity by the parent.
        await self._conn.execute(
            "UPDATE intake_drafts SET reminded_at = ? WHERE subject = ?", (at.isoformat(), subject)
        )


def _draft(row: aiosqlite.Row) -> Draft:
    return Draft.model_validate({**dict(row), "answers": json.loads(row["answers"])})
