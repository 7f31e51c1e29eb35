"""The composition root: builds the engine and its real dependencies, once per process.

Both drivers (Telegram and the console) and ``tsunagu ask`` go through here, so they
share one engine and one way of running a step.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError
from content.editor import FaqFileEditor
from content.i18n import CatalogTranslations
from content.source import ContentStore
from flows.engine import Engine
from flows.model import Inbound, Outcome
from flows.ports import DeskSettings, RosterMember
from flows.turn import Deps
from storage.database import Database

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Services:
    db: Database
    content: ContentStore
    engine: Engine
    # Set after every step: the outbox worker looks for new rows at once instead of
    # waiting for its next poll.
    outbox_signal: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def start(
        cls, db_path: Path | str, content_dir: Path, roster: Sequence[RosterMember] = (),
        desk: DeskSettings | None = None,
    ) -> Services:
        content = ContentStore.load(content_dir)
        offices = {o.id for o in content.current().offices.offices}
        for member in roster:
            if member.office is not None and member.office not in offices:
                raise ConfigError(
                    f"TSUNAGU_COORDINATORS/TSUNAGU_STAFF: unknown office {member.office!r}"
                    f" (known: {', '.join(sorted(offices))})"
                )
        deps = Deps(
            content=content,
            emergency=content.emergency(),
            translations=CatalogTranslations(),
            clock=SystemClock(),
            editor=FaqFileEditor(content),
            desk=desk or DeskSettings(),
        )
        db = await Database.open(db_path)
        if roster:
            async with db.transaction() as tx:
                await tx.roster.seed(list(roster), deps.clock.now())
        return cls(db=db, content=content, engine=Engine(deps))

    async def close(self) -> None:
        await self.db.close()

    async def process(self, inbound: Inbound, update_id: int | None = None) -> Outcome | None:
        """Run one step and save its result atomically.

        Returns None when ``update_id`` was handled before (a redelivered update).
        Replies are sent by the caller after the commit: a crash between the two loses
        a reply the person can ask for again, never a half-saved step.
        """
        now = self.engine.deps.clock.now()
        async with self.db.transaction() as tx:
            if update_id is not None and not await tx.updates.claim(update_id, now):
                log.info("update %s was already handled; skipped", update_id)
                return None
            session = await tx.sessions.load(inbound.session_key)
            outcome = await self.engine.handle(inbound, session, tx)
            await tx.sessions.save(outcome.session, now)
        self.outbox_signal.set()
        return outcome
