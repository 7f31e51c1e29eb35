"""The composition root: builds the engine and its real dependencies, once per process.

Both drivers (Telegram and the console) and ``tsunagu ask`` go through here, so they
share one engine and one way of running a step.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError
from content.editor import FaqFileEditor
from content.i18n import CatalogTranslations
from content.source import ContentStore
from flows.address import Channel
from flows.engine import Engine
from flows.milestones.upcoming import MilestoneSchedule
from flows.model import Inbound, Outcome, Reply, Session
from flows.records import DeskSettings, RosterMember
from flows.text import Html
from flows.turn import Deps
from storage.database import Database

log = logging.getLogger(__name__)


def event_key(channel: Channel, ident: str | int) -> str:
    """How a channel's delivery of one event is remembered (``telegram:<update_id>``): the
    channels' own ids could be equal, their keys cannot."""
    return f"{channel}:{ident}"


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
    # Updates whose replies went out since the last step; their saved replies are cleared
    # in the next step's transaction rather than in one of their own.
    _answered: list[str] = field(default_factory=list)

    @classmethod
    async def start(
        cls, db_path: Path | str, content_dir: Path, roster: Sequence[RosterMember] = (),
        desk: DeskSettings | None = None, semantic: bool = False,
    ) -> Services:
        content = ContentStore.load(content_dir, semantic)
        offices = {o.id for o in content.current().offices.offices}
        for member in roster:
            if member.office is not None and member.office not in offices:
                raise ConfigError(
                    f"TSUNAGU_COORDINATORS/TSUNAGU_STAFF: unknown office {member.office!r}"
                    f" (known: {', '.join(sorted(offices))})"
                )
        intake = content.current().intake
        departments = {d.id for d in intake.departments} if intake else set()
        for member in roster:
            if member.department is not None and member.department not in departments:
                raise ConfigError(
                    f"TSUNAGU_PARTNERS: unknown department {member.department!r}"
                    f" (known: {', '.join(sorted(departments)) or 'none in intake.yaml'})"
                )
        deps = Deps(
            content=content,
            emergency=content.emergency(),
            translations=CatalogTranslations(),
            clock=SystemClock(),
            editor=FaqFileEditor(content),
            desk=desk or DeskSettings(),
            milestones=MilestoneSchedule(content),
        )
        db = await Database.open(db_path)
        if roster:
            await seed_roster(db, roster, deps.clock.now())
        # What start-up built (the content, the matcher's index and readings) lives as
        # long as the process: kept out of the collector's full passes, which otherwise
        # walk it every time and stop a reply for tens of milliseconds.
        gc.freeze()
        return cls(db=db, content=content, engine=Engine(deps))

    async def close(self) -> None:
        if self._answered:
            async with self.db.transaction() as tx:
                await tx.updates.replies_sent(*self._answered)
            self._answered.clear()
        await self.db.close()

    async def process(self, inbound: Inbound, event: str | None = None) -> Outcome | None:
        """Run one step and save its result atomically.

        Replies are sent by the caller after the commit, which then calls ``replies_sent``.
        With an ``event`` key (:func:`event_key`) the replies are saved with the step until
        then, so a crash in between does not lose them: when the channel delivers the event
        again (the driver confirms it only once handled), the saved replies are returned
        instead of running the step twice. None: the event was handled and answered before.
        """
        now = self.engine.deps.clock.now()
        answered, self._answered = self._answered, []
        try:
            return await self._step(inbound, event, now, answered)
        except BaseException:
            self._answered[:0] = answered  # rolled back: cleared with a later step
            raise

    async def _step(self, inbound: Inbound, event: str | None, now: datetime,
                    answered: list[str]) -> Outcome | None:
        async with self.db.transaction() as tx:
            if answered:
                await tx.updates.replies_sent(*answered)
            if event is not None and not await tx.updates.claim(event, now):
                unsent = await tx.updates.unsent_replies(event)
                if unsent is None:
                    log.info("event %s was already handled; skipped", event)
                    return None
                log.info("event %s was handled but not answered; answering now", event)
                return _outcome_from_json(unsent, inbound)
            session = await tx.sessions.load(inbound.session_key)
            outcome = await self.engine.handle(inbound, session, tx)
            await tx.sessions.save(outcome.session, now)
            if event is not None and (outcome.replies or outcome.toast):
                await tx.updates.keep_replies(event, _outcome_to_json(outcome))
            queued = tx.outbox.enqueued
        if queued:
            # Only then: a round of the worker is a transaction of its own, and most steps
            # (a question answered, an FAQ shown) give it nothing to send.
            self.outbox_signal.set()
        return outcome

    async def replies_sent(self, event: str) -> None:
        """The event's replies went out (or were given up): forget them.

        Noted here and written with the next step (or on close), which saves a transaction
        per event. A crash before then can only send them once more if the channel delivers
        the event again; it cannot lose them.
        """
        self._answered.append(event)


async def seed_roster(db: Database, roster: Sequence[RosterMember], at: datetime) -> None:
    """Add the people named in TSUNAGU_COORDINATORS / TSUNAGU_STAFF whom the roster never had.

    Who is on the roster is decided by staff with /roster; the environment is read at every
    start and must not undo them. Each addition is audited like one made by staff.
    """
    async with db.transaction() as tx:
        seeded = await tx.roster.seed(list(roster), at)
        for user_id in seeded.added:
            await tx.audit.write(at=at, actor="environment", action="roster.seed",
                                 subject=str(user_id))
    # Counts only: who is on the roster is nobody's business in a log file.
    if seeded.left_off:
        log.info("roster: %d person(s) named in TSUNAGU_COORDINATORS/TSUNAGU_STAFF were taken"
                 " off the roster by staff and stay off (staff add them back with /roster add)",
                 seeded.left_off)
    if seeded.other_roles:
        log.info("roster: %d person(s) named in TSUNAGU_COORDINATORS/TSUNAGU_STAFF keep the"
                 " roles staff gave them (staff change roles with /roster add)",
                 seeded.other_roles)


def _outcome_to_json(outcome: Outcome) -> str:
    return json.dumps(
        {"replies": [r.model_dump() for r in outcome.replies], "toast": outcome.toast},
        ensure_ascii=False,
    )


def _outcome_from_json(text: str, inbound: Inbound) -> Outcome:
    data = json.loads(text)
    return Outcome(
        # Saved as the step made them: their text is reply HTML already, not to be escaped again.
        replies=[Reply.model_validate({**r, "text": Html(r["text"])})
                 for r in data.get("replies", [])],
        # The step's session was saved with it; this one only carries the key.
        session=Session(key=inbound.session_key),
        toast=data.get("toast"),
    )
