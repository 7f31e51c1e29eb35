from __future__ import annotations

import aiosqlite

from flows.records import ConsentDecision, RecordedConsent
from storage.repos.erasure import Erasure


class ConsentRepo:
    """Append-only log of consent decisions (the table's triggers refuse edits and deletes)."""

    def __init__(self, conn: aiosqlite.Connection, erasure: Erasure) -> None:
        self._conn = conn
        self._erasure = erasure

    async def append(self, decision: ConsentDecision) -> int:
        if decision.decision == "withdrawn" and decision.purpose is None:
            # A withdrawal deletes the person's drafts and details in the same transaction.
            self._erasure.note()
        cur = await self._conn.execute(
            """INSERT INTO consents (at, subject, decision, locale, text_version, text_hash,
                   use_for_request, share_with_departments, age_information, writer,
                   guardian_confirmed, purpose)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                decision.at.isoformat(),
                decision.subject,
                decision.decision,
                decision.locale,
                decision.text_version,
                decision.text_hash,
                int(decision.use_for_request),
                int(decision.share_with_departments),
                int(decision.age_information),
                decision.writer,
                int(decision.guardian_confirmed),
                decision.purpose,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def history(self, subject: str) -> list[RecordedConsent]:
        async with self._conn.execute(
            "SELECT * FROM consents WHERE subject = ? ORDER BY id", (subject,)
        ) as cur:
            rows = await cur.fetchall()
        # The 0/1 columns become booleans and the ISO times datetimes as the model checks them.
        return [RecordedConsent.model_validate(dict(row)) for row in rows]
