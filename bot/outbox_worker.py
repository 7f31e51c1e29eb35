"""The outbox worker: sends what the desk queued, on every running channel, at each
channel's pace, each row once.

What a row says and where it goes is decided in flows/desk/deliveries.py; here are the
sending through each channel's outbound port (bot/outbound.py), the pacing
(bot/pacing.py, one pacer per channel with the limits its driver gives) and the failures,
which every driver reports as the same few kinds:

- TryLater with the channel's own wait for the whole channel (Telegram's RetryAfter after
  PTB's rate limiter has waited a few times, LINE's 429): nothing more goes out on that
  channel from here until that time has passed, and the row is tried again then (never a
  blind retry).
- Other TryLater (network errors, timeouts, 5xx): the row is tried again after the wait
  the channel asked for, else an exponential back-off with jitter (2 s, 4 s, 8 s … up to
  10 minutes), for as long as it takes: nothing is lost.
- Refused (a coordinator who never opened a private chat, a family who blocked the bot):
  the row is given up and someone who can act is told (flows/desk/deliveries.py).
- Rejected (a bad request): given up and logged; retrying would fail the same way.
- EditTargetGone (the group message to update was deleted by hand): nothing to update.

A row for a channel that is not running in this process (the coordinators' Telegram group
while only LINE runs) waits in the outbox, said once in the log, until a process with that
channel sends it.

Exactly once, in practice: each row is marked sent in its own transaction right after the
channel accepted it. On Telegram a crash in that short window is the only way to send a
message twice (its API has no idempotency key to ask it); LINE's pushes carry a retry key
made from the row's id, so there not even that. Marking before sending would instead lose
the message, which is worse for a family's request. Notices combined into a digest are
stamped with the digest's id before the first attempt, so a retry sends the same digest
again rather than a differently combined one, and a ticket already announced is never
announced again. The worker never holds the database while talking to a channel.

Logs carry kinds, row ids and error types only, never a message's text or an address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import describe_error
from bot.outbound import (
    EditTargetGone,
    Outbound,
    Refused,
    Rejected,
    SendFailure,
    TryLater,
    outbox_key,
)
from bot.pacing import Pacer, digest_size
from bot.services import Services
from flows.address import Address, Channel, channel_of, is_group
from flows.desk import deliveries
from flows.desk.deliveries import DIGESTIBLE, Delivery, delivered, render, undeliverable
from flows.records import PendingMessage
from flows.turn import Deps
from storage.repos import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    # First back-off after a network error, in seconds, doubling up to backoff_cap.
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    # Rows another process wrote, or a row whose retry time came: looked for this often.
    poll_interval: float = 5.0
    # Rows read per round (oldest first).
    batch: int = 500


@dataclass(frozen=True)
class _Planned:
    """A delivery with the address and the channel it goes out on."""

    delivery: Delivery
    to: Address
    outbound: Outbound


class OutboxWorker:
    def __init__(
        self,
        services: Services,
        outbounds: Iterable[Outbound],
        settings: WorkerSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.services = services
        self.outbounds: dict[Channel, Outbound] = {o.channel: o for o in outbounds}
        self.settings = settings or WorkerSettings()
        self.pacers = {channel: Pacer(o.limits, clock) for channel, o in self.outbounds.items()}
        self._sleep = sleep
        self._rng = rng or random.Random()
        # Channels whose rows were found waiting for them, said once each.
        self._idle_noted: set[Channel] = set()

    @property
    def _deps(self) -> Deps:
        return self.services.engine.deps

    async def run(self) -> None:
        if self._deps.desk.coordinators_chat is None:
            log.warning("TSUNAGU_COORDINATORS_CHAT is not set: notices for the coordinators'"
                        " group wait in the outbox")
        signal = self.services.outbox_signal
        while True:
            signal.clear()
            try:
                delay = await self.tick()
            except Exception as exc:
                # A bug or a database problem: say so, and try again later, never in a loop.
                log.error("outbox round failed: %s", describe_error(exc))
                delay = self.settings.poll_interval
            if delay > 0:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the
                # cancellation that stops the desk when the signal fires at the same moment.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await signal.wait()

    async def tick(self) -> float:
        """Send what may go now; return the seconds until there may be more to do."""
        deps = self._deps
        now = deps.clock.now()
        next_round = self.settings.poll_interval
        plans: list[_Planned] = []
        async with self.services.db.transaction() as tx:
            chats: dict[Address, list[PendingMessage]] = {}
            for row in await tx.outbox.due(now, self.settings.batch):
                where = await deliveries.address(row, deps, tx)
                if where == "drop":
                    await tx.outbox.give_up([row.id], now, "gone")
                elif where != "wait":
                    chats.setdefault(where, []).append(row)
            for to, rows in chats.items():
                channel = channel_of(to)
                outbound = self.outbounds.get(channel)
                if outbound is None:
                    self._note_idle(channel)
                    continue
                pacer = self.pacers[channel]
                wait = max(pacer.wait(to), pacer.wait_overall())
                if wait > 0:
                    next_round = min(next_round, wait)
                    continue
                plan = await self._plan(tx, to, rows, now, pacer)
                if plan is not None:
                    plans.append(_Planned(plan, to, outbound))
            upcoming = await tx.outbox.next_attempt_after(now)
        if upcoming is not None:
            next_round = min(next_round, max((upcoming - now).total_seconds(), 0.05))
        for planned in plans:
            await self._sleep(self.pacers[planned.outbound.channel].wait_overall())
            await self._deliver(planned)
        return 0.0 if plans else next_round

    def _note_idle(self, channel: Channel) -> None:
        if channel in self._idle_noted:
            return
        self._idle_noted.add(channel)
        log.warning("outbox: messages for %s wait; that channel is not running here", channel)

    async def _plan(self, tx: Tx, to: Address, rows: list[PendingMessage], now: datetime,
                    pacer: Pacer) -> Delivery | None:
        """The chat's next message. Rows with nothing left to say are marked done on the
        way; a row that must wait (an update of a notice not sent yet) lets the next go."""
        waiting: set[int] = set()
        while True:
            candidates = [r for r in rows if r.id not in waiting]
            if not candidates:
                return None
            chosen = self._choose(to, candidates, pacer)
            ids = [r.id for r in chosen]
            if len(chosen) > 1 and chosen[0].kind == DIGESTIBLE and chosen[0].batch is None:
                await tx.outbox.set_batch(ids, f"digest-{ids[0]}")
            plan = await render(chosen, to, self._deps, tx, now)
            if plan == "wait":
                waiting.update(ids)
            elif plan is None:
                await tx.outbox.mark_sent(ids, now, None)  # nothing left to say
                rows[:] = [r for r in rows if r.id not in ids]
            else:
                return plan

    def _choose(self, to: Address, rows: Sequence[PendingMessage],
                pacer: Pacer) -> list[PendingMessage]:
        """The rows for the chat's next message: the oldest, or a digest of notices."""
        first = rows[0]
        if first.batch is not None:
            return [r for r in rows if r.batch == first.batch]
        if first.kind == "group_refresh":
            return [r for r in rows if r.kind == first.kind and r.ticket_id == first.ticket_id]
        if first.kind == DIGESTIBLE and is_group(to):
            notices = [r for r in rows if r.kind == DIGESTIBLE and r.batch is None]
            size = digest_size(len(notices), pacer.budget(to), pacer.limits)
            return notices[:size]
        return [first]

    async def _deliver(self, planned: _Planned) -> None:
        plan, to, outbound = planned.delivery, planned.to, planned.outbound
        deps = self._deps
        ids = [r.id for r in plan.rows]
        pacer = self.pacers[outbound.channel]
        pacer.record(to)  # a refused attempt counts against the limits too

        async def pace_part() -> None:
            # The parts of one long message share the chat's pace too.
            await self._sleep(pacer.wait(to))
            pacer.record(to)

        try:
            message_id = await outbound.send(to, plan.reply, key=outbox_key(ids[0]),
                                             before_part=pace_part)
        except TryLater as failure:
            await self._try_later(planned, failure)
        except Refused as failure:
            log.warning("outbox %s %s: %s refuses the chat (%s); given up", plan.kind, ids,
                        outbound.channel, failure.reason)
            await self._give_up(plan, failure, refused=True)
        except EditTargetGone:
            # The group message was deleted by hand: nothing left to update.
            async with self.services.db.transaction() as tx:
                await tx.outbox.mark_sent(ids, deps.clock.now(), None)
        except Rejected as failure:
            log.error("outbox %s %s refused by %s (%s); given up", plan.kind, ids,
                      outbound.channel, failure.reason)
            await self._give_up(plan, failure, refused=False)
        else:
            async with self.services.db.transaction() as tx:
                now = deps.clock.now()
                await tx.outbox.mark_sent(ids, now, message_id)
                await delivered(plan, message_id, deps, tx, now)
            log.debug("outbox %s %s sent", plan.kind, ids)

    async def _try_later(self, planned: _Planned, failure: TryLater) -> None:
        plan, channel = planned.delivery, planned.outbound.channel
        ids = [r.id for r in plan.rows]
        if failure.seconds is not None and failure.pause_channel:
            self.pacers[channel].pause(failure.seconds)
            log.warning("outbox %s %s: %s asks to wait %.0f s", plan.kind, ids, channel,
                        failure.seconds)
            delay = failure.seconds
        else:
            delay = failure.seconds if failure.seconds is not None else self._backoff(plan)
            log.warning("outbox %s %s: %s %s; next try in %.1f s", plan.kind, ids, channel,
                        failure.reason, delay)
        await self._retry(ids, failure.reason, delay)

    def _backoff(self, plan: Delivery) -> float:
        attempts = max(r.attempts for r in plan.rows)
        doubled = self.settings.backoff_base * 2.0 ** min(attempts, 30)
        delay = min(self.settings.backoff_cap, doubled)
        return delay / 2 + self._rng.uniform(0, delay / 2)  # jitter: no thundering herd

    async def _retry(self, ids: list[int], error: str, seconds: float) -> None:
        async with self.services.db.transaction() as tx:
            now = self._deps.clock.now()
            await tx.outbox.retry_later(ids, now + timedelta(seconds=seconds), error)

    async def _give_up(self, plan: Delivery, failure: SendFailure, *, refused: bool) -> None:
        async with self.services.db.transaction() as tx:
            now = self._deps.clock.now()
            await tx.outbox.give_up([r.id for r in plan.rows], now, failure.reason)
            if refused:
                await undeliverable(plan, self._deps, tx, now)

