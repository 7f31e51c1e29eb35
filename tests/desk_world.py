"""A desk on a SQLite file: a family, coordinators in their group and in private chats, and
the real outbox worker sending to a recording bot on a virtual clock (a minute of pacing
takes no time).

    world = await World.open(tmp_path)
    await send_request(world.parent)              # the intake, as in the request tests
    [notice] = await world.deliver()              # what the worker sent, in order
    await world.group(A).press(notice.button("v1:dk:c"), notice)
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.outbox_worker import OutboxWorker, WorkerSettings
from bot.pacing import Limits
from bot.services import Services
from bot.telegram.outbound import TelegramOutbound
from flows.address import Address, channel_of
from flows.model import ChatType, Inbound, InboundKind, Outcome
from flows.ports import Clock
from flows.records import DeskSettings, Priority, RosterMember
from flows.text import to_plain
from flows.turn import Deps
from storage.database import Database
from tests.fake_bot_api import check_text
from tests.fakes import FixedClock, tg
from tests.intake_fakes import request_deps, services_on

GROUP = -100_777
PARENT = 5151
A, B, SUPERVISOR, STAFF, STRANGER = 1001, 1002, 1003, 1004, 4242
NAMES = {A: "Aoki", B: "Baba", SUPERVISOR: "Sato", STAFF: "Tanaka"}
ROSTER = [
    RosterMember(user_id=tg(A), display_name="Aoki", office="jido_katei", coordinator=True),
    RosterMember(user_id=tg(B), coordinator=True),  # seeded by id only: the name comes later
    RosterMember(user_id=tg(SUPERVISOR), display_name="Sato", office="kodomo_hattatsu",
                 coordinator=True, supervisor=True),
    RosterMember(user_id=tg(STAFF), display_name="Tanaka", staff=True),
]


def desk_deps(clock: FixedClock | None = None, **desk: Any) -> Deps:
    deps = request_deps(clock or FixedClock())
    return dataclasses.replace(deps, desk=DeskSettings(coordinators_chat=tg(GROUP), **desk))


class TickingClock(FixedClock):
    """Starts at the fixed test moment and runs with real time (for a worker on a real loop,
    whose retries fall due as time passes)."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self.moment + timedelta(seconds=time.monotonic() - self._started)


@dataclass
class Sent:
    """A message the worker sent (or an edit it made), as the recipient sees it."""

    method: str
    chat_id: int
    message_id: int
    html: str
    buttons: list[tuple[str, str]]
    at: float

    @property
    def text(self) -> str:
        return to_plain(self.html)

    def button(self, prefix: str) -> str:
        for _label, data in self.buttons:
            if data.startswith(prefix):
                return data
        raise AssertionError(f"no button {prefix!r} in {self.buttons}")


@dataclass
class _Message:
    message_id: int


class FakeBot:
    """The two Bot methods the worker calls, recorded; ``fail`` raises errors in order."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.sent: list[Sent] = []
        self.attempts: list[tuple[float, int]] = []  # (when, chat) of every call
        self.fail: list[TelegramError] = []
        # Chats that refuse the bot (never opened, or blocked it), as Telegram answers then.
        self.refusing: set[int] = set()
        self._ids = itertools.count(1)

    def _check(self, chat_id: int) -> None:
        self.attempts.append((self.clock.now, chat_id))
        if chat_id in self.refusing:
            raise Forbidden("Forbidden: bot can't initiate conversation with a user")
        if self.fail:
            raise self.fail.pop(0)

    @staticmethod
    def _buttons(markup: InlineKeyboardMarkup | None) -> list[tuple[str, str]]:
        if markup is None:
            return []
        return [(b.text, str(b.callback_data)) for row in markup.inline_keyboard for b in row]

    async def send_message(self, *, chat_id: int, text: str, reply_markup: Any = None,
                           **kwargs: Any) -> _Message:
        self._check(chat_id)
        # What Telegram would refuse, refused here too.
        check_text(text, kwargs.get("parse_mode", "HTML"))
        message_id = next(self._ids)
        self.sent.append(Sent("send", chat_id, message_id, text, self._buttons(reply_markup),
                              self.clock.now))
        return _Message(message_id)

    async def edit_message_text(self, *, chat_id: int, message_id: int, text: str,
                                reply_markup: Any = None, **kwargs: Any) -> bool:
        self._check(chat_id)
        check_text(text, kwargs.get("parse_mode", "HTML"))
        self.sent.append(Sent("edit", chat_id, message_id, text, self._buttons(reply_markup),
                              self.clock.now))
        return True


@dataclass
class VirtualClock:
    """Monotonic seconds for the pacer; moving it moves the desk's wall clock too."""

    wall: FixedClock
    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.now += seconds
            self.wall.advance(seconds=seconds)


class Person:
    """Someone writing to the engine in one chat (private unless ``chat_id`` says else)."""

    def __init__(self, world: World, user_id: int, chat_id: int | None = None,
                 language_code: str = "en") -> None:
        self.world = world
        self.user_id = user_id
        self.chat_id = chat_id if chat_id is not None else user_id
        self.language_code = language_code
        self.last: Outcome | None = None

    @property
    def chat_type(self) -> ChatType:
        return "private" if self.chat_id > 0 else "supergroup"

    async def send(self, kind: InboundKind, **fields: Any) -> Outcome:
        inbound = Inbound(channel="telegram", user_id=tg(self.user_id), chat_id=tg(self.chat_id),
                          chat_type=self.chat_type, kind=kind,
                          language_code=self.language_code,
                          display_name=NAMES.get(self.user_id, f"Person{self.user_id}"),
                          **fields)
        outcome = await self.world.services.process(inbound)
        assert outcome is not None
        for reply in outcome.replies:
            check_text(reply.text, "HTML")
        self.last = outcome
        return outcome

    async def text(self, text: str, reply_to: Sent | None = None) -> Outcome:
        return await self.send("text", text=text,
                               reply_to_text=reply_to.text if reply_to else None)

    async def command(self, name: str, args: str = "", reply_to: Sent | None = None) -> Outcome:
        return await self.send("command", command=name, text=args,
                               reply_to_text=reply_to.text if reply_to else None)

    async def press(self, data: str, on: Sent | None = None) -> Outcome:
        return await self.send("button", button=data, message_id=on.message_id if on else None)

    async def press_label(self, fragment: str) -> Outcome:
        assert self.last is not None
        for reply in self.last.replies:
            for row in reply.buttons:
                for b in row:
                    if fragment in b.label:
                        return await self.press(b.data)
        raise AssertionError(f"no button with {fragment!r}")

    @property
    def said(self) -> str:
        return "\n".join(to_plain(r.text) for r in self.last.replies) if self.last else ""

    @property
    def toast(self) -> str | None:
        return self.last.toast if self.last else None


def _worker(services: Services, bot: FakeBot, settings: WorkerSettings, limits: Limits,
            virtual: VirtualClock) -> OutboxWorker:
    """The real outbox worker, sending through Telegram's outbound port to ``bot`` on the
    virtual clock."""
    # TelegramOutbound is typed to take a whole telegram.Bot, though the worker's sends
    # call only the two methods FakeBot records.
    telegram = TelegramOutbound(bot, limits)  # type: ignore[arg-type]
    return OutboxWorker(services, [telegram], settings, clock=virtual, sleep=virtual.sleep)


@dataclass
class World:
    services: Services
    clock: FixedClock
    virtual: VirtualClock
    bot: FakeBot
    worker: OutboxWorker
    limits: Limits = field(default_factory=Limits)

    @classmethod
    async def open(cls, tmp_path: Path, *, clock: FixedClock | None = None,
                   limits: Limits | None = None, **desk: Any) -> World:
        clock = clock or FixedClock()
        deps = desk_deps(clock, **desk)
        db = await Database.open(tmp_path / "desk.db")
        async with db.transaction() as tx:
            await tx.roster.seed(ROSTER, clock.now())
        services = services_on(db, deps)
        virtual = VirtualClock(clock)
        bot = FakeBot(virtual)
        limits = limits or Limits()
        settings = WorkerSettings(backoff_base=1.0, poll_interval=5.0)
        worker = _worker(services, bot, settings, limits, virtual)
        return cls(services, clock, virtual, bot, worker, limits)

    async def close(self) -> None:
        await self.services.close()

    async def restart(self) -> None:
        """A new process on the same file: new engine, new worker (its pacing forgotten)."""
        deps = self.services.engine.deps
        path = self.services.db.path
        await self.services.close()
        db = await Database.open(path)
        self.services = services_on(db, deps)
        self.worker = _worker(self.services, self.bot, self.worker.settings, self.limits,
                              self.virtual)

    @cached_property
    def parent(self) -> Person:
        return Person(self, PARENT)

    def private(self, user_id: int) -> Person:
        return Person(self, user_id)

    def group(self, user_id: int) -> Person:
        return Person(self, user_id, GROUP)

    async def deliver(self, max_seconds: float = 120.0) -> list[Sent]:
        """Let the worker run (virtual time) until the outbox is empty; what it sent."""
        before = len(self.bot.sent)
        deadline = self.virtual.now + max_seconds
        while self.virtual.now <= deadline:
            delay = await self.worker.tick()
            if not await self.unsent() and delay > 0:
                break
            self.virtual.advance(max(delay, 0.0))
        return self.bot.sent[before:]

    async def unsent(self) -> int:
        rows = await self.rows("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"
                               " AND failed_at IS NULL")
        return int(rows[0]["n"])

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.services.db.transaction() as tx, tx.conn.execute(sql, args) as cur:
            return [dict(row) for row in await cur.fetchall()]

    def to(self, chat_id: int, sent: list[Sent] | None = None) -> list[Sent]:
        return [s for s in (self.bot.sent if sent is None else sent) if s.chat_id == chat_id]


async def send_request(person: Person, *, name: str = "Hanako Chiyoda",
                       needs: str = "talk") -> Outcome:
    """The whole intake as one family (the steps of tests/test_withdraw.py)."""
    for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:t:share",
                 "v1:cs:ok", "v1:in:residence:v:chiyoda"):
        await person.press(data)
    await person.text("3")
    await person.press("v1:in:care:t:vent")
    await person.press("v1:in:care:done")
    await person.press("v1:in:situation:v:home")
    await person.press("v1:in:support:v:some")
    await person.press(f"v1:in:needs:t:{needs}")
    await person.press("v1:in:needs:done")
    await person.text("Our daughter needs suction at night")
    await person.press("v1:in:contact:v:phone")
    await person.text("090-1234-5678")
    await person.press("v1:in:phone_times:skip")
    await person.text(name)
    return await person.press("v1:in:summary:send")


async def announced(world: World) -> Sent:
    """A family's request, and its notice in the coordinators' group."""
    await send_request(world.parent)
    [notice] = world.to(GROUP, await world.deliver())
    return notice


def advance(world: World, **delta: float) -> None:
    world.virtual.advance(timedelta(**delta).total_seconds())



class TicketWorld(Protocol):
    """What ``make_ticket`` needs of a world: the services and a clock."""

    @property
    def services(self) -> Services: ...

    @property
    def clock(self) -> Clock: ...


async def make_ticket(world: TicketWorld, *, subject: str | None = None,
                      priority: Priority = "normal",
                      needs: tuple[str, ...] = ("talk",), family: Address | None = None) -> str:
    """A ticket and its announcement, written the way the intake writes them (fast);
    ``family`` is the family's chat (a Telegram one of its own by default)."""
    from flows.model import session_key
    from flows.records import ConsentDecision, NewTicket, OutboxMessage
    from flows.tickets import format_reference

    now = world.clock.now()
    async with world.services.db.transaction() as tx:
        number = await tx.tickets.next_number()
        chat = family or tg(9000 + number)
        subject = subject or session_key(chat, chat)
        consent = await tx.consents.append(ConsentDecision(
            subject=subject, at=now, decision="granted", locale="en", text_version="1",
            text_hash="h" * 64, use_for_request=True, share_with_departments=False,
            age_information=False, writer="guardian", guardian_confirmed=False))
        reference = format_reference(number)
        ticket_id = await tx.tickets.create(NewTicket(
            number=number, reference=reference, created_at=now, office="jido_katei",
            priority=priority, subject=subject, channel=channel_of(chat),
            chat_id=chat, locale="en", consent_id=consent,
            share_with_departments=False,
            answers={"age": {"kind": "age", "years": 1, "months": 0}, "needs": list(needs),
                     "name": "Secret Name"}))
        await tx.outbox.enqueue(OutboxMessage(kind="ticket_new", ticket_id=ticket_id,
                                              office="jido_katei",
                                              payload={"reference": reference}), now)
    world.services.outbox_signal.set()
    return reference
