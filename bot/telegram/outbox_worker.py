"""The outbox worker: sends what the desk queued, at Telegram's pace, each row once.

What a row says and where it goes is decided in flows/desk/deliveries.py; here are the
sending, the pacing (bot/telegram/pacing.py) and the failures:

- RetryAfter: PTB's rate limiter on the same bot waits ``retry_after`` out and tries again
  (a few times); if Telegram still says wait, nothing more goes out from here until that time
  has passed, and the row is tried again then (never a blind retry).
- Network errors, timeouts and 5xx: the row is tried again after an exponential back-off
  with jitter (2 s, 4 s, 8 s … up to 10 minutes), for as long as it takes: nothing is lost.
- Forbidden (a coordinator who never opened a private chat, a family who blocked the bot):
  the row is given up and someone who can act is told (flows/desk/deliveries.py).
- Any other refusal (BadRequest): given up and logged; retrying would fail the same way.

Exactly once, in practice: each row is marked sent in its own transaction right after
Telegram accepted it. A crash in that short window is the only way to send a message twice
(Telegram's API has no idempotency key to ask it); marking before sending would instead
lose the message, which is worse for a family's request. Notices combined into a digest
are stamped with the digest's id before the first attempt, so a retry sends the same
digest again rather than a differently combined one, and a ticket already announced is
never announced again. The worker never holds the database while talking to Telegram.

Logs carry kinds, row ids and error types only, never a message's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.services import Services
from bot.telegram.application import BackgroundJob, DeskServices, describe_error
from bot.telegram.desk_menu import publish_desk_commands
from bot.telegram.pacing import Limits, Pacer, digest_size
from bot.telegram.render import retry_after_seconds, send_reply
from flows.address import Address, is_group
from flows.desk.deliveries import DIGESTIBLE, Delivery, address, delivered, render, undeliverable
from flows.records import PendingMessage
from flows.turn import Deps
from storage.repos import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    limits: Limits = field(default_factory=Limits)
    # First back-off after a network error, in seconds, doubling up to backoff_cap.
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    # Rows another process wrote, or a row whose retry time came: looked for this often.
    poll_interval: float = 5.0
    # Rows read per round (oldest first).
    batch: int = 500


class OutboxWorker:
    def __init__(
        self,
        services: Services,
        bot: Bot,
        settings: WorkerSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.services = services
        self.bot = bot
        self.settings = settings or WorkerSettings()
        self.pacer = Pacer(self.settings.limits, clock)
        self._sleep = sleep
        self._rng = rng or random.Random()

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
        paused = self.pacer.wait_overall()
        if paused > 0:
            return paused
        now = deps.clock.now()
        next_round = self.settings.poll_interval
        plans: list[Delivery] = []
        async with self.services.db.transaction() as tx:
            chats: dict[Address, list[PendingMessage]] = {}
            for row in await tx.outbox.due(now, self.settings.batch):
                where = await address(row, deps, tx)
                if where == "drop":
                    await tx.outbox.give_up([row.id], now, "gone")
                elif where != "wait":
                    chats.setdefault(where, []).append(row)
            for chat_id, rows in chats.items():
                wait = self.pacer.wait(chat_id)
                if wait > 0:
                    next_round = min(next_round, wait)
                    continue
                plan = await self._plan(tx, chat_id, rows, now)
                if plan is not None:
                    plans.append(plan)
            upcoming = await tx.outbox.next_attempt_after(now)
        if upcoming is not None:
            next_round = min(next_round, max((upcoming - now).total_seconds(), 0.05))
        for plan in plans:
            await self._sleep(self.pacer.wait_overall())
            await self._deliver(plan)
        return 0.0 if plans else next_round

    async def _plan(self, tx: Tx, chat_id: Address, rows: list[PendingMessage],
                    now: datetime) -> Delivery | None:
        """The chat's next message. Rows with nothing left to say are marked done on the
        way; a row that must wait (an update of a notice not sent yet) lets the next go."""
        waiting: set[int] = set()
        while True:
            candidates = [r for r in rows if r.id not in waiting]
            if not candidates:
                return None
            chosen = self._choose(chat_id, candidates)
            ids = [r.id for r in chosen]
            if len(chosen) > 1 and chosen[0].kind == DIGESTIBLE and chosen[0].batch is None:
                await tx.outbox.set_batch(ids, f"digest-{ids[0]}")
            plan = await render(chosen, chat_id, self._deps, tx, now)
            if plan == "wait":
                waiting.update(ids)
            elif plan is None:
                await tx.outbox.mark_sent(ids, now, None)  # nothing left to say
                rows[:] = [r for r in rows if r.id not in ids]
            else:
                return plan

    def _choose(self, chat_id: Address, rows: Sequence[PendingMessage]) -> list[PendingMessage]:
        """The rows for the chat's next message: the oldest, or a digest of notices."""
        first = rows[0]
        if first.batch is not None:
            return [r for r in rows if r.batch == first.batch]
        if first.kind == "group_refresh":
            return [r for r in rows if r.kind == first.kind and r.ticket_id == first.ticket_id]
        if first.kind == DIGESTIBLE and is_group(chat_id):
            notices = [r for r in rows if r.kind == DIGESTIBLE and r.batch is None]
            size = digest_size(len(notices), self.pacer.budget(chat_id), self.pacer.limits)
            return notices[:size]
        return [first]

    async def _deliver(self, plan: Delivery) -> None:
        deps = self._deps
        ids = [r.id for r in plan.rows]
        self.pacer.record(plan.chat_id)  # a refused attempt counts against the limits too
        try:
            message_id = await self._send(plan)
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self.pacer.pause(seconds)
            log.warning("outbox %s %s: Telegram asks to wait %.0f s", plan.kind, ids, seconds)
            await self._retry(ids, "RetryAfter", seconds)
        except Forbidden:
            log.warning("outbox %s %s: the chat refuses the bot; given up", plan.kind, ids)
            await self._give_up(plan, "Forbidden", refused=True)
        except BadRequest as error:
            await self._bad_request(plan, error)
        except ChatMigrated:
            log.error("outbox %s %s: the group became a supergroup; set"
                      " TSUNAGU_COORDINATORS_CHAT to its new id", plan.kind, ids)
            await self._retry(ids, "ChatMigrated", self._backoff(plan))
        except (NetworkError, TelegramError) as error:
            delay = self._backoff(plan)
            log.warning("outbox %s %s: %s; next try in %.1f s", plan.kind, ids,
                        type(error).__name__, delay)
            await self._retry(ids, type(error).__name__, delay)
        else:
            async with self.services.db.transaction() as tx:
                now = deps.clock.now()
                await tx.outbox.mark_sent(ids, now, message_id)
                await delivered(plan, message_id, deps, tx, now)
            log.debug("outbox %s %s sent", plan.kind, ids)

    async def _send(self, plan: Delivery) -> int | None:
        async def pace_part() -> None:
            # The parts of one long message share the chat's pace too.
            await self._sleep(self.pacer.wait(plan.chat_id))
            self.pacer.record(plan.chat_id)

        return await send_reply(self.bot, plan.reply, plan.chat_id, before_part=pace_part)

    async def _bad_request(self, plan: Delivery, error: BadRequest) -> None:
        ids = [r.id for r in plan.rows]
        text = str(error).lower()
        if plan.reply.edit_message_id is not None and "message to edit not found" in text:
            # The group message was deleted by hand: nothing left to update.
            async with self.services.db.transaction() as tx:
                await tx.outbox.mark_sent(ids, self._deps.clock.now(), None)
            return
        refused = "chat not found" in text
        # The type only: Telegram's description may quote the refused text.
        log.error("outbox %s %s refused by Telegram (BadRequest); given up", plan.kind, ids)
        await self._give_up(plan, "BadRequest", refused=refused)

    def _backoff(self, plan: Delivery) -> float:
        attempts = max(r.attempts for r in plan.rows)
        doubled = self.settings.backoff_base * 2.0 ** min(attempts, 30)
        delay = min(self.settings.backoff_cap, doubled)
        return delay / 2 + self._rng.uniform(0, delay / 2)  # jitter: no thundering herd

    async def _retry(self, ids: list[int], error: str, seconds: float) -> None:
        async with self.services.db.transaction() as tx:
            now = self._deps.clock.now()
            await tx.outbox.retry_later(ids, now + timedelta(seconds=seconds), error)

    async def _give_up(self, plan: Delivery, error: str, *, refused: bool) -> None:
        async with self.services.db.transaction() as tx:
            now = self._deps.clock.now()
            await tx.outbox.give_up([r.id for r in plan.rows], now, error)
            if refused:
                await undeliverable(plan, self._deps, tx, now)


def outbox_worker(settings: WorkerSettings | None = None) -> BackgroundJob:
    """The worker as a background job of the Telegram application (started once the
    services are open, cancelled when the application stops)."""

    async def job(services: DeskServices, bot: Bot) -> None:
        desk = cast(Services, services)
        await publish_desk_commands(bot, desk.engine.deps)
        await OutboxWorker(desk, bot, settings).run()

    return job

