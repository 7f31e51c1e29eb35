"""LINE's events from the webhook to the family's answers: kept first, handled in order.

The webhook hands each request's events to :meth:`LineInbox.keep` (one transaction) and
answers LINE only once they are kept. :meth:`LineInbox.run` takes the events not handled
yet, oldest first — also those left by a crash — and runs each through the same step as the
other channels (``Services.process`` with the event's key ``line:<webhookEventId>``), which
claims the event and keeps its answers until they are sent in the step's own transaction.
A crash before that transaction handles the event again after the restart; a crash after
it finds the event claimed and sends the kept answers then. Once answered, the event is
marked handled here, which drops its JSON.

Answers use the event's reply token while it is fresh (its age is taken from the time the
event was kept) and are pushed otherwise, with retry keys from the event's id so a push
tried again is not shown twice. LINE failing (429, 5xx, the network) holds the queue and is
tried again with a growing pause, as the Telegram driver does; a refusal is given up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.errors import describe_error
from bot.line.client import (
    LineSender,
    PermanentLineError,
    ReplyToken,
    RetryableLineError,
    event_source,
)
from bot.line.inbound import Ignore, Step, Unfollow, to_action
from bot.line.render import render
from bot.line.webhook import ReceivedEvent, parse_event
from bot.services import Services, event_key
from bot.telegram.application import APOLOGY
from flows.address import Address, ident_of
from flows.model import Reply

log = logging.getLogger(__name__)

# Answers LINE could not take are tried again after this pause, doubling up to the cap.
SEND_RETRY_FIRST_S = 1.0
SEND_RETRY_MAX_S = 30.0
# Events read from the table per round.
BATCH = 50


class Unfollowed:
    """The families who blocked the account (``line_unfollowed``), also kept in memory so
    that a push to one of them is given up without reading the database."""

    def __init__(self, users: Iterable[str] = ()) -> None:
        self._users = set(users)

    @classmethod
    async def load(cls, services: Services) -> Unfollowed:
        async with services.db.transaction() as tx:
            return cls(await tx.line_inbox.all_unfollowed())

    def __contains__(self, user: object) -> bool:
        return user in self._users

    def add(self, user: str) -> None:
        self._users.add(user)

    def discard(self, user: str) -> None:
        self._users.discard(user)


class LineInbox:
    def __init__(
        self, services: Services, sender: LineSender, unfollowed: Unfollowed | None = None
    ) -> None:
        self.services = services
        self.sender = sender
        self.unfollowed = unfollowed if unfollowed is not None else Unfollowed()
        self.wake = asyncio.Event()
        # Events kept before this: a previous run may have answered them by reply token
        # and stopped before noting it.
        self.started = self._now()

    def _now(self) -> datetime:
        return self.services.engine.deps.clock.now()

    async def keep(self, events: Sequence[ReceivedEvent]) -> None:
        """The webhook's store: keep the events (a redelivered one once), then wake the worker."""
        now = self._now()
        async with self.services.db.transaction() as tx:
            for event in events:
                if not event.event_id:
                    # LINE gives every event an id; one without could not be kept once.
                    log.warning("LINE event without a webhookEventId ignored")
                    continue
                fresh = await tx.line_inbox.keep(
                    event.event_id, json.dumps(event.raw, ensure_ascii=False), now
                )
                if not fresh:
                    log.info("LINE event delivered again; kept once")
        self.wake.set()

    async def run(self) -> None:
        """Handle what is kept, then wait for the webhook to keep more; until cancelled."""
        while True:
            self.wake.clear()
            await self.drain()
            await self.wake.wait()

    async def drain(self) -> None:
        """Handle every event kept and not handled yet, oldest first."""
        while True:
            async with self.services.db.transaction() as tx:
                pending = await tx.line_inbox.pending(BATCH)
            if not pending:
                return
            for event in pending:
                await self._handle(event.event_id, event.received_at, event.raw)

    async def _handle(self, event_id: str, received_at: datetime, raw: str) -> None:
        try:
            action = to_action(parse_event(json.loads(raw)))
        except (ValueError, TypeError, KeyError) as exc:
            log.error("a kept LINE event could not be read (%s); dropped", type(exc).__name__)
            action = Ignore()
        if isinstance(action, Step):
            await self._step(event_id, received_at, action, _left_over(raw, received_at, self))
        elif isinstance(action, Unfollow):
            async with self.services.db.transaction() as tx:
                await tx.line_inbox.unfollowed(ident_of(action.user), self._now())
            self.unfollowed.add(ident_of(action.user))
        await self._handled(event_id)

    async def _handled(self, event_id: str) -> None:
        async with self.services.db.transaction() as tx:
            await tx.line_inbox.handled(event_id, self._now())

    async def _step(
        self, event_id: str, received_at: datetime, step: Step, left_over: bool = False
    ) -> None:
        user = step.inbound.chat_id
        inbound = step.inbound
        if step.follows:
            async with self.services.db.transaction() as tx:
                await tx.line_inbox.followed(ident_of(user))
            self.unfollowed.discard(ident_of(user))
            # The welcome in the language of the family's LINE app, when LINE tells it.
            language = await self.sender.language(ident_of(user))
            if language is not None:
                inbound = inbound.model_copy(update={"language_code": language})
        key = event_key("line", event_id)
        try:
            outcome = await self.services.process(inbound, key)
        except Exception as exc:
            # A bug, or the database failing: the step rolled back. Marked handled so that
            # one bad event cannot hold up every family behind it; the family hears of it.
            log.error("LINE event failed: %s", describe_error(exc))
            await self._send(
                event_id, user, [Reply(text=APOLOGY)], received_at, step.reply_token, left_over
            )
            return
        if outcome is None:
            return  # handled and answered before the process stopped
        await self._send(event_id, user, outcome.replies, received_at, step.reply_token, left_over)
        await self.services.replies_sent(key)

    async def _send(
        self,
        event_id: str,
        user: Address,
        replies: Sequence[Reply],
        received_at: datetime,
        token: str | None,
        token_tried: bool = False,
    ) -> None:
        """Send a step's answers, waiting out LINE's failures; a refusal is given up.

        ``token_tried``: the reply token may have been used already (see :func:`_left_over`).
        """
        ours = [r for r in replies if r.chat_id is None or r.chat_id == user]
        if len(ours) != len(replies):
            # A family's step answers in the family's chat; anything else goes by the outbox.
            log.warning("%d answer(s) for another chat not sent", len(replies) - len(ours))
        try:
            batches = render(ours)
        except ValueError as error:
            # Button data over LINE's limit, or more buttons than a message shows: a mistake
            # of ours that sending again would repeat, so it must not hold up the queue.
            log.error("answers could not be laid out for LINE (%s); given up", type(error).__name__)
            batches = []
        reply_token = None
        if token:
            age = (self._now() - received_at).total_seconds()
            reply_token = ReplyToken(token, self.sender.clock() - max(age, 0.0))
        start, pause = 0, SEND_RETRY_FIRST_S
        while batches:
            try:
                await self.sender.send(
                    ident_of(user),
                    batches,
                    source=event_source(event_id),
                    reply_token=reply_token,
                    start=start,
                    token_tried=token_tried,
                )
                break
            except RetryableLineError as error:
                start = error.delivered
                # A reply that timed out may have gone through all the same.
                token_tried = token_tried or (start == 0 and reply_token is not None)
                wait = error.retry_after if error.retry_after is not None else pause
                log.warning("answers not sent to LINE; trying again in %.1f s", wait)
                await asyncio.sleep(wait)
                pause = min(pause * 2, SEND_RETRY_MAX_S)
            except PermanentLineError:
                break  # logged by the sender; the same request would be refused again


def _left_over(raw: str, received_at: datetime, inbox: LineInbox) -> bool:
    """Whether a previous run may have used this event's reply token: it was kept before
    this run started. Only for an event LINE sent at once (not redelivered): its token's
    minute runs from when it was kept, so a token still fresh by that clock and refused can
    only have been used, whereas a redelivered event's token may have expired before."""
    if received_at >= inbox.started:
        return False
    try:
        context = json.loads(raw).get("deliveryContext") or {}
    except (ValueError, AttributeError):
        return False
    return not bool(context.get("isRedelivery", False))
