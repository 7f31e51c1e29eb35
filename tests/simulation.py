"""Simulated parents for load, crash and fault runs against the fake Bot API.

A parent is a small, seeded script: ask a few questions in their own words, then make a
request to a coordinator by answering the intake from the buttons the bot shows (it reads
the newest message with a keyboard, as a person looks at the last question on the screen).
``World`` drives many of them at once from one thread: each parent acts, waits for the
bot's answer, thinks for a moment, and acts again, until every one is done or the time is
up. It measures the reply latency (update queued → first reply recorded by the fake) and
counts what went wrong: replies that never came (the parent then sends /resume, as the bot
asks people to after a restart), unexpected screens, and references seen.

Used by benchmarks/load.py, benchmarks/crash.py, benchmarks/faults.py and the smaller CI
versions in tests/. Every loop here is bounded by a deadline.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tests.fake_bot_api import FakeBotAPI, Json, buttons

REFERENCE = re.compile(r"\bK-\d{4,}\b")

QUESTIONS = {
    "ja": ["訪問看護を使いたい", "レスパイトはありますか", "保育園に入れますか",
           "コーディネーターに相談したい", "吸引の器具の助成について知りたい",
           "きょうだいの預け先を探しています"],
    "en": ["How do I get home nursing?", "Is there respite care?",
           "Can my child go to nursery?", "I want to talk to a coordinator"],
}
AGES = {"ja": ["2歳3か月", "8か月", "5歳"], "en": ["2 years 3 months", "8 months", "5 years"]}
NAMES = {"ja": ["千代田 花子", "神田 太郎", "九段 さくら"],
         "en": ["Hanako Chiyoda", "Taro Kanda", "Sakura Kudan"]}
NOTES = {"ja": ["夜の吸引で眠れません", "兄の送り迎えが大変です"],
         "en": ["Night suction keeps us awake", "Hard to take her brother to school"]}

ActionKind = Literal["text", "command", "press"]


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    value: str
    message_id: int | None = None
    # The bot's answer to this action is a screen with buttons (every intake step's is).
    wants_keyboard: bool = True


@dataclass
class Plan:
    """What one parent will say and choose; drawn from a seeded random generator."""

    lang: Literal["ja", "en"]
    questions: list[str]
    age: str
    care: tuple[str, ...]
    needs: tuple[str, ...]
    contact: Literal["chat", "phone"]
    note: str | None
    name: str
    phone: str

    @classmethod
    def draw(cls, rng: random.Random, questions: int = 2) -> Plan:
        lang: Literal["ja", "en"] = "ja" if rng.random() < 0.8 else "en"
        return cls(
            lang=lang,
            questions=rng.sample(QUESTIONS[lang], k=min(questions, len(QUESTIONS[lang]))),
            age=rng.choice(AGES[lang]),
            care=tuple(rng.sample(["suction", "tube", "oxygen", "trach"], k=rng.randint(1, 2))),
            needs=tuple(rng.sample(["respite", "nursing"], k=1)),
            contact="phone" if rng.random() < 0.5 else "chat",
            note=rng.choice(NOTES[lang]) if rng.random() < 0.5 else None,
            name=rng.choice(NAMES[lang]),
            phone=f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        )


def _step_of(data: list[str]) -> str | None:
    for item in data:
        parts = item.split(":")
        if len(parts) >= 3 and parts[:2] == ["v1", "in"]:
            return parts[2]
    return None


@dataclass
class Parent:
    user_id: int
    plan: Plan
    phase: Literal["questions", "intake", "done"] = "questions"
    asked: int = 0
    references: list[str] = field(default_factory=list)
    # Screens the script did not recognise (a parent would be lost there).
    confused: int = 0

    def first_action(self) -> Action:
        return self._question_or_request()

    def _question_or_request(self) -> Action:
        if self.asked < len(self.plan.questions):
            self.asked += 1
            return Action("text", self.plan.questions[self.asked - 1], wants_keyboard=False)
        self.phase = "intake"
        return Action("command", "request")

    def next_action(self, new: list[Json], screen: Json | None) -> Action | None:
        """What to do after the bot sent ``new``; ``screen`` is the newest message with
        buttons in the chat. None: this parent is done."""
        for message in new:
            self.references += REFERENCE.findall(message["text"])
        if self.phase == "questions":
            return self._question_or_request()
        if self.phase == "done":
            return None
        if self.references and screen is not None and not any(
            d.startswith("v1:in:") for _, d in buttons(screen)
        ):
            self.phase = "done"
            return None
        if screen is None:
            self.confused += 1
            return Action("command", "request")
        return self._answer(screen)

    def _answer(self, screen: Json) -> Action:
        plan = self.plan
        shown = buttons(screen)
        data = [d for _, d in shown]
        mid = screen["message_id"]

        def press(value: str) -> Action:
            return Action("press", value, mid)

        if "v1:in:summary:send" in data:
            return press("v1:in:summary:send")
        if "v1:req:go" in data:
            return press("v1:req:go")
        if "v1:cs:role:guardian" in data:
            return press("v1:cs:role:guardian")
        if "v1:cs:ok" in data:
            for label, value in shown:
                if value == "v1:cs:t:intake" and not label.startswith("✅"):
                    return press(value)
            return press("v1:cs:ok")
        step = _step_of(data)
        if step is None:
            if "v1:req" in data:
                return press("v1:req")
            self.confused += 1
            return Action("command", "request")
        choices = {
            "residence": "chiyoda", "situation": "home", "support": "none",
            "contact": plan.contact,
        }
        if step in choices:
            wanted = f"v1:in:{step}:v:{choices[step]}"
            return press(wanted if wanted in data else next(
                d for d in data if d.startswith(f"v1:in:{step}:v:")))
        if step in ("care", "needs"):
            chosen = plan.care if step == "care" else plan.needs
            for label, value in shown:
                option = value.rsplit(":", 1)[-1]
                if value.startswith(f"v1:in:{step}:t:") and option in chosen and not (
                    label.startswith("✅")
                ):
                    return press(value)
            return press(f"v1:in:{step}:done")
        texts = {"age": plan.age, "phone": plan.phone, "name": plan.name}
        if step in texts:
            return Action("text", texts[step])
        if step == "note" and plan.note is not None:
            return Action("text", plan.note)
        skip = f"v1:in:{step}:skip"
        if skip in data:
            return press(skip)
        self.confused += 1
        return press(data[-1])


@dataclass
class Waiting:
    action: Action
    since: float
    seen_before: int
    # Wall-clock time the update was queued, to compare with the fake's record times.
    queued_at: float = field(default_factory=time.time)
    got_reply: bool = False


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    actions: int = 0
    # No answer within the timeout: the parent sent /resume.
    nudges: int = 0
    elapsed: float = 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


class World:
    """Many parents against one fake Bot API, driven from the calling thread."""

    def __init__(
        self,
        api: FakeBotAPI,
        parents: list[Parent],
        *,
        think: tuple[float, float] = (0.05, 0.1),
        reply_timeout: float = 10.0,
        seed: int = 0,
        on_tick: Callable[[], None] | None = None,
        respawn: Callable[[], Parent] | None = None,
    ) -> None:
        self.api = api
        self.parents = {p.user_id: p for p in parents}
        self.think = think
        self.reply_timeout = reply_timeout
        self.rng = random.Random(seed)
        self.on_tick = on_tick
        # Load runs: a parent who is done is followed by a new one, so the load stays even.
        self.respawn = respawn
        self.finished: list[Parent] = []
        self.stats = Stats()
        self._next_at: dict[int, float] = {}
        self._waiting: dict[int, Waiting] = {}
        self._messages: dict[int, list[Json]] = {p.user_id: [] for p in parents}
        self._scanned = 0

    def add(self, parent: Parent, at: float | None = None) -> None:
        """A parent who starts talking at ``at`` (time.monotonic; default now)."""
        self.parents[parent.user_id] = parent
        self._messages[parent.user_id] = []
        self._next_at[parent.user_id] = time.monotonic() if at is None else at

    def active(self) -> int:
        return sum(1 for p in self.parents.values() if p.phase != "done")

    def start_all(self, spread: float) -> None:
        now = time.monotonic()
        for user_id in self.parents:
            self._next_at[user_id] = now + self.rng.uniform(0, spread)

    def done(self) -> bool:
        return all(p.phase == "done" for p in self.parents.values())

    def run(self, deadline: float) -> Stats:
        """Until every parent is done or ``deadline`` (time.monotonic) has passed."""
        started = time.monotonic()
        while not self.done() and time.monotonic() < deadline:
            now = time.monotonic()
            for user_id, at in list(self._next_at.items()):
                if at <= now:
                    del self._next_at[user_id]
                    self._act(user_id)
            self._collect()
            self._check_timeouts()
            if self.on_tick is not None:
                self.on_tick()
            wake = min([*self._next_at.values(), now + 0.05])
            with self.api._cond:
                self.api._cond.wait(max(0.0, min(0.05, wake - time.monotonic())))
        self.stats.elapsed = time.monotonic() - started
        return self.stats

    def _act(self, user_id: int, action: Action | None = None) -> None:
        parent = self.parents[user_id]
        if action is None:
            messages = self._messages[user_id]
            if not messages and parent.asked == 0 and parent.phase == "questions":
                action = parent.first_action()
            else:
                before = self._waiting.pop(user_id).seen_before if user_id in self._waiting else 0
                action = parent.next_action(messages[before:], self._screen(user_id))
        if action is None:
            if self.respawn is not None:
                self.finished.append(self.parents.pop(user_id))
                self._messages.pop(user_id, None)
                fresh = self.respawn()
                self.parents[fresh.user_id] = fresh
                self._messages[fresh.user_id] = []
                self._next_at[fresh.user_id] = time.monotonic() + self.rng.uniform(*self.think)
            return
        lang = parent.plan.lang
        if action.kind == "text":
            self.api.push_text(user_id, action.value, language_code=lang)
        elif action.kind == "command":
            self.api.push_command(user_id, action.value, language_code=lang)
        else:
            self.api.push_callback(user_id, action.value, message_id=action.message_id,
                                   language_code=lang)
        self.stats.actions += 1
        self._waiting[user_id] = Waiting(action, time.monotonic(), len(self._messages[user_id]))

    def _screen(self, user_id: int) -> Json | None:
        for message in reversed(self._messages[user_id]):
            if message.get("reply_markup"):
                return message
        return None

    def _collect(self) -> None:
        with self.api._cond:
            fresh = self.api.sent[self._scanned:]
            self._scanned = len(self.api.sent)
        now = time.monotonic()
        for entry in fresh:
            user_id = entry["chat_id"]
            if entry["method"] != "sendMessage" or user_id not in self.parents:
                continue
            self._messages[user_id].append(entry)
            waiting = self._waiting.get(user_id)
            if waiting is None:
                continue
            if not waiting.got_reply:
                waiting.got_reply = True
                self.stats.latencies.append(max(0.0, entry["at"] - waiting.queued_at))
            if entry.get("reply_markup") or not waiting.action.wants_keyboard:
                # The screen to answer is here: think, then answer it.
                self._next_at[user_id] = now + self.rng.uniform(*self.think)

    def _check_timeouts(self) -> None:
        now = time.monotonic()
        for user_id, waiting in list(self._waiting.items()):
            if user_id in self._next_at or now - waiting.since < self.reply_timeout:
                continue
            # No (complete) answer came: as a person would, ask the bot where we were.
            self.stats.nudges += 1
            self._waiting[user_id] = Waiting(
                Action("command", "resume"), now, waiting.seen_before)
            self.api.push_command(user_id, "resume", language_code=self.parents[user_id].plan.lang)
            self.stats.actions += 1


class EchoParent(Parent):
    """For the echo bot: texts and button presses, for ever, in about the proportion of a
    parent making a request (most intake answers are buttons)."""

    PRESSES = 0.7

    def first_action(self) -> Action:
        return Action("text", self.plan.questions[0], wants_keyboard=False)

    def next_action(self, new: list[Json], screen: Json | None) -> Action | None:
        self.asked += 1
        if screen is not None and (self.asked * 7919 % 100) < 100 * self.PRESSES:
            data = buttons(screen)[0][1]
            return Action("press", data, screen["message_id"], wants_keyboard=False)
        questions = self.plan.questions
        return Action("text", questions[self.asked % len(questions)], wants_keyboard=False)


def make_parents(count: int, seed: int, first_user: int = 800_000,
                 questions: int = 2) -> list[Parent]:
    rng = random.Random(seed)
    return [Parent(first_user + i, Plan.draw(rng, questions)) for i in range(count)]
