"""Families on LINE for the load, crash and fault runs, beside the Telegram parents.

The fake LINE Messaging API (tests/fake_line_api.py) runs here in a thread of its own with
its own event loop, so that the runs, which drive the Telegram parents from the calling
thread, can have LINE families talk to the same ``tsunagu run`` at the same time. Each
family follows the account, asks its question and makes a request through the whole intake
with the same script as a Telegram parent (tests/simulation.py ``Parent``), sending signed
webhook calls: texts, postbacks for buttons, ``/request`` and ``/resume`` typed as words.

What the fake accepts is tied to the event it answers, by the event's reply token or by the
retry key of the pushes that answer it (bot/line/client.py derives those from the event's
``webhookEventId`` and the batch's position), so a run can tell, per event, whether its
answer went out once, twice or never. A webhook call that gets no answer (the process was
killed, or not started yet) is delivered again with the same event id, as LINE does with
redelivery on; an event counts as acknowledged once the desk answered 200.

Faults (:class:`LineFaults`): a share of the calls answered 429 with a Retry-After, or 500,
doing nothing; and a share of the pushes carried out but answered 500, as when LINE's answer
is lost on the way back, which only the retry key keeps from being shown twice. Every loop
here is bounded by a deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp
from aiohttp import web

from bot.line.client import event_source, retry_key
from bot.line.config import WEBHOOK_PATH
from tests.fake_line_api import (
    FakeLineAPI,
    Json,
    follow_event,
    postback_actions,
    postback_event,
    signature,
    text_event,
    webhook_body,
)
from tests.simulation import Action, Parent, Plan, Stats

SECRET = "0123456789abcdef0123456789abcdef"
# Batches an event's answer could take (five messages each); keys beyond are not looked for.
MAX_BATCHES = 8
# A webhook call the desk did not answer is delivered again after this pause.
REDELIVERY_PAUSE_S = 0.2
T = TypeVar("T")

# Which event the call being handled answers (a reply token's or a retry key's), and how.
_answering: contextvars.ContextVar[tuple[str | None, int]] = contextvars.ContextVar(
    "answering", default=(None, 0)
)


@dataclass(frozen=True)
class Delivery:
    """One call the fake accepted: its messages went out to ``to``."""

    at: float  # time.time()
    to: str
    via: str  # "reply" or "push"
    event: str | None  # the event it answers; None for the outbox's pushes
    batch: int
    messages: tuple[Json, ...]


@dataclass
class LineFaults:
    """Shares of calls that fail (each drawn on its own)."""

    rate_429: float = 0.0
    retry_after: float = 1.0
    rate_500: float = 0.0
    # Pushes carried out and then answered 500: the answer was lost on the way back.
    rate_applied_500: float = 0.0
    seed: int = 0


class RecordingLineAPI(FakeLineAPI):
    """The fake LINE API, recording when and for which event each call was accepted, and
    failing calls at random as :class:`LineFaults` says."""

    def __init__(self, *, reply_token_ttl: float = 60.0) -> None:
        super().__init__(reply_token_ttl=reply_token_ttl)
        self.deliveries: list[Delivery] = []
        self.injected: Counter[str] = Counter()
        self.faults = LineFaults()
        self._rng = random.Random(0)
        self._token_event: dict[str, str] = {}
        self._key_event: dict[str, tuple[str, int]] = {}
        self._arrived: dict[str, asyncio.Event] = {}
        self._batch = 0

    def set_faults(self, faults: LineFaults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def expect(self, event: Json) -> None:
        """Tie what answers ``event`` to it: its reply token and its pushes' retry keys."""
        event_id = str(event["webhookEventId"])
        token = event.get("replyToken")
        if token:
            self._token_event[str(token)] = event_id
        for batch in range(MAX_BATCHES):
            self._key_event[retry_key(event_source(event_id), batch)] = (event_id, batch)

    def arrived(self, user: str) -> asyncio.Event:
        """Set whenever a message to ``user`` is accepted (for waiting, in the fake's loop)."""
        return self._arrived.setdefault(user, asyncio.Event())

    def of_event(self, event_id: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.event == event_id]

    async def _reply(self, request: web.Request) -> web.Response:
        body = await _json(request)
        token = body.get("replyToken")
        _answering.set((self._token_event.get(str(token)), 0))
        return await super()._reply(request)

    async def _push(self, request: web.Request) -> web.Response:
        key = request.headers.get("X-Line-Retry-Key")
        event, batch = self._key_event.get(key or "", (None, 0))
        _answering.set((event, batch))
        if (
            key is not None
            and self.faults.rate_applied_500
            and self._rng.random() < self.faults.rate_applied_500
        ):
            answer = await super()._push(request)
            if answer.status == 200:
                # Carried out, but the answer never reaches the desk.
                self.injected["500 after sending"] += 1
                return self._answer(request, 500, {"message": "Internal server error"})
            return answer
        return await super()._push(request)

    def _gate(self, request: web.Request) -> web.Response | None:
        refused = super()._gate(request)
        if refused is not None or request.method != "POST":
            return refused
        faults = self.faults
        if faults.rate_429 and self._rng.random() < faults.rate_429:
            self.injected["429"] += 1
            return self._answer(
                request,
                429,
                {"message": "The API rate limit has been exceeded. Try again later."},
                headers={"Retry-After": f"{faults.retry_after:g}"},
            )
        if faults.rate_500 and self._rng.random() < faults.rate_500:
            self.injected["500"] += 1
            return self._answer(request, 500, {"message": "Internal server error"})
        return None

    def _record(self, to: str, via: str, messages: list[Json]) -> Json:
        answer = super()._record(to, via, messages)
        event, batch = _answering.get()
        self.deliveries.append(Delivery(time.time(), to, via, event, batch, tuple(messages)))
        self.arrived(to).set()
        return answer


async def _json(request: web.Request) -> Json:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class LineThread:
    """The recording fake LINE API served from a thread with its own event loop."""

    def __init__(self, api: RecordingLineAPI) -> None:
        self.api = api
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fake-line", daemon=True)

    def start(self) -> LineThread:
        self._thread.start()
        self.call(self.api.start(), 10.0)
        return self

    def call(self, coroutine: Awaitable[T], timeout: float) -> T:
        """Run ``coroutine`` in the fake's loop and wait for its result."""

        async def wrapped() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout)

    def stop(self) -> None:
        try:
            self.call(self.api.stop(), 10.0)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10.0)
            self.loop.close()


def screen_of(message: Json, number: int) -> Json:
    """A LINE message in the shape tests/simulation.py reads (a Bot API message): its text
    and its buttons (quick replies or a Flex message's boxes) as an inline keyboard."""
    found = [
        {"text": str(action.get("label") or ""), "callback_data": str(action.get("data") or "")}
        for action in postback_actions(message)
    ]
    shaped: Json = {
        "message_id": number,
        "text": str(message.get("text") or message.get("altText") or ""),
    }
    if found:
        shaped["reply_markup"] = {"inline_keyboard": [found]}
    return shaped


def line_plan(rng: random.Random, questions: int = 1) -> Plan:
    """A parent's plan in Japanese: LINE does not tell the desk a language, so a family on
    LINE is answered in Japanese unless they ask for English."""
    while True:
        plan = Plan.draw(rng, questions=questions)
        if plan.lang == "ja":
            return plan


@dataclass
class Posted:
    user: str
    at: float  # time.time() of the first delivery attempt
    acknowledged: bool = False
    deliveries: int = 0


@dataclass
class LineFamily:
    user: str
    parent: Parent
    seen: list[Json] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.parent.phase == "done"


class LineFamilies:
    """LINE families talking to the desk's webhook, driven in the fake's loop."""

    def __init__(
        self,
        line: LineThread,
        webhook_port: int,
        *,
        think: tuple[float, float] = (0.0, 0.05),
        reply_timeout: float = 10.0,
        seed: int = 0,
        first_user: int = 0,
        questions: int = 1,
    ) -> None:
        self.line = line
        self.api = line.api
        self.url = f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}"
        self.think = think
        self.reply_timeout = reply_timeout
        self.rng = random.Random(seed)
        self.questions = questions
        self.stats = Stats()
        self.events: dict[str, Posted] = {}
        self.families: list[LineFamily] = []
        self.redeliveries = 0
        self._numbers = iter(range(first_user, first_user + 10**9))
        self._stop_at = float("inf")
        self._task: concurrent.futures.Future[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    # --- from the driving thread ---------------------------------------------------------

    def start(
        self,
        *,
        count: int,
        concurrency: int,
        until: float,
        respawn: bool = False,
        spread: float = 0.0,
    ) -> None:
        """``count`` families, ``concurrency`` at a time (each family started as another is
        done), until ``until`` (time.monotonic); with ``respawn``, a family who is done is
        followed by a new one until then, so the load stays even."""
        self._stop_at = until
        self._task = asyncio.run_coroutine_threadsafe(
            self._run(count, concurrency, respawn, spread), self.line.loop
        )

    def stop_at(self, until: float) -> None:
        self._stop_at = until

    def done(self) -> bool:
        return self._task is not None and self._task.done()

    def wait(self, timeout: float) -> None:
        if self._task is not None:
            self._task.result(timeout)

    def window(self) -> tuple[int, int]:
        """(actions so far, latencies so far), to measure a window from here."""
        return self.stats.actions, len(self.stats.latencies)

    # --- in the fake's loop --------------------------------------------------------------

    def _family(self) -> LineFamily:
        user = f"U{next(self._numbers):032x}"
        family = LineFamily(user, Parent(0, line_plan(self.rng, self.questions)))
        self.families.append(family)
        return family

    async def _run(self, count: int, concurrency: int, respawn: bool, spread: float) -> None:
        async with aiohttp.ClientSession() as session:
            self._session = session
            gate = asyncio.Semaphore(concurrency)

            async def one(delay: float) -> None:
                async with gate:
                    await asyncio.sleep(delay)
                    while time.monotonic() < self._stop_at:
                        await self._talk(self._family())
                        if not respawn:
                            return

            await asyncio.gather(*(one(self.rng.uniform(0, spread)) for _ in range(count)))

    async def _talk(self, family: LineFamily) -> None:
        """One family from following the account to the end of its request."""
        await self._act(family, "follow", "", wants_keyboard=True)
        action: Action | None = family.parent.first_action()
        while action is not None and time.monotonic() < self._stop_at:
            before = len(family.seen)
            got = await self._act(
                family, action.kind, action.value, wants_keyboard=action.wants_keyboard
            )
            if not got:
                # No answer came: as a person would, ask the desk where we were.
                self.stats.nudges += 1
                await self._act(family, "command", "resume", wants_keyboard=True)
            await asyncio.sleep(self.rng.uniform(*self.think))
            action = family.parent.next_action(family.seen[before:], self._screen(family))

    @staticmethod
    def _screen(family: LineFamily) -> Json | None:
        for message in reversed(family.seen):
            if message.get("reply_markup"):
                return message
        return None

    async def _act(
        self, family: LineFamily, kind: str, value: str, *, wants_keyboard: bool
    ) -> bool:
        """Send one event; True once its answer (a screen with buttons, if one is wanted)
        arrived within the reply timeout."""
        api, user = self.api, family.user
        if kind == "follow":
            event = follow_event(api, user)
        elif kind == "press":
            event = postback_event(api, user, value)
        else:
            event = text_event(api, user, value if kind == "text" else f"/{value}")
        api.expect(event)
        arrived = api.arrived(user)
        scanned = len(api.deliveries)
        posted = Posted(user, time.time())
        self.events[str(event["webhookEventId"])] = posted
        self.stats.actions += 1
        deadline = time.monotonic() + self.reply_timeout
        if not await self._deliver(event, posted, deadline):
            return False
        first = True
        while time.monotonic() < deadline:
            arrived.clear()
            fresh = [d for d in api.deliveries[scanned:] if d.to == user]
            scanned = len(api.deliveries)
            for delivery in fresh:
                for message in delivery.messages:
                    family.seen.append(screen_of(message, len(family.seen) + 1))
                if first:
                    first = False
                    self.stats.latencies.append(max(0.0, delivery.at - posted.at))
            if fresh and (
                not wants_keyboard
                or any("reply_markup" in screen_of(m, 0) for d in fresh for m in d.messages)
            ):
                return True
            try:
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    await arrived.wait()
            except TimeoutError:
                break
        return False

    async def _deliver(self, event: Json, posted: Posted, deadline: float) -> bool:
        """POST ``event`` signed until the desk answers 200 (redelivered as LINE does)."""
        assert self._session is not None
        while time.monotonic() < deadline + 60.0:
            body = webhook_body(event)
            headers = {
                "X-Line-Signature": signature(SECRET, body),
                "Content-Type": "application/json",
            }
            posted.deliveries += 1
            try:
                async with self._session.post(
                    self.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=5.0)
                ) as answer:
                    if answer.status == 200:
                        posted.acknowledged = True
                        return True
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.redeliveries += 1
            event = dict(event, deliveryContext={"isRedelivery": True})
            await asyncio.sleep(REDELIVERY_PAUSE_S)
        return False


@dataclass
class LineTally:
    """Per acknowledged event: how many times each batch of its answer went out."""

    events: int = 0
    once: int = 0
    doubled: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    replies: int = 0
    pushes: int = 0
    # Of ``doubled``, events whose webhook call had to be made again (see bot/line/inbox.py:
    # a redelivered event's reply token may have expired before the desk kept it, so one
    # refused after a crash is pushed rather than taken for used).
    doubled_redelivered: int = 0

    def line(self) -> str:
        return (
            f"LINE events acknowledged {self.events}: answered exactly once {self.once},"
            f" twice or more {len(self.doubled)} (of them delivered again by LINE"
            f" {self.doubled_redelivered}), never {len(self.lost)}"
            f" (by reply {self.replies}, by push {self.pushes})"
        )


def tally(families: LineFamilies) -> LineTally:
    result = LineTally()
    per_event: dict[str, Counter[int]] = {}
    for delivery in families.api.deliveries:
        if delivery.event is None:
            continue
        per_event.setdefault(delivery.event, Counter())[delivery.batch] += 1
        if delivery.via == "reply":
            result.replies += 1
        else:
            result.pushes += 1
    for event_id, posted in families.events.items():
        if not posted.acknowledged:
            continue
        result.events += 1
        batches = per_event.get(event_id, Counter())
        if not batches:
            result.lost.append(event_id)
        elif max(batches.values()) > 1:
            result.doubled.append(event_id)
            result.doubled_redelivered += posted.deliveries > 1
        else:
            result.once += 1
    return result


def line_env(line: RecordingLineAPI, port: int) -> dict[str, str]:
    """The settings that turn LINE on in ``tsunagu run`` against the fake."""
    return {
        "TSUNAGU_LINE_CHANNEL_SECRET": SECRET,
        "TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
        "TSUNAGU_LINE_API_BASE_URL": line.base_url,
        "TSUNAGU_LINE_WEBHOOK_PORT": str(port),
    }


def wait_for_webhook(port: int, timeout: float = 60.0) -> None:
    """Until the desk's webhook takes connections on ``port`` (its log may be quiet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the LINE webhook did not listen on port {port}")
