"""Requests made while the Bot API fails a third of the calls, then is down, then recovers.

Shared by tests/test_faults_small.py (CI size) and benchmarks/faults.py (full size). The
real ``tsunagu run`` polls the fake Bot API, which answers about a third of all calls
(getUpdates included) with 429 and a retry_after, 500, or no answer until the bot's
timeout. Then, with parents still waiting, every call fails for a while (an outage): the
bot's CPU time and its calls in that window show whether it busy-loops. Then the API
recovers and the run goes on until every request is made. Checked afterwards:

- every parent's request exists exactly once and every conversation went to the end;
- every ticket was announced in the coordinators' group exactly once;
- no answer was lost (no parent had to send /resume);
- during the outage the bot used little CPU and made few calls.

``applied_timeouts`` makes the timeouts the other kind: the call is carried out but its
answer never comes back. Nobody can tell that from a call lost on the way there (the Bot
API has no idempotency key), so a retry sends the message twice; that run reports how
often, and still nothing may be lost.

With ``line`` families on LINE as well (tests/line_families.py), the fake LINE API fails
about a third of its calls all along: 429 with a Retry-After and 500, doing nothing, and
pushes carried out but answered 500 (the answer lost on the way back, which only the retry
key keeps from being shown twice). Each family makes its request; then a coordinator
replies to it from Telegram (``/claim``, ``/reply``), which reaches the family as a push
through the outbox. Checked besides: every event the desk acknowledged to LINE was answered
exactly once, and every coordinator's reply reached its family exactly once.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.bot_process import TOKEN, BotProcess, tsunagu_command, tsunagu_env
from tests.crash_run import (
    COORDINATORS_CHAT,
    CrashReport,
    check_announcements,
    check_database,
    count_line,
    count_repeats,
)
from tests.fake_bot_api import FakeBotAPI, FaultKind
from tests.line_desk import free_port
from tests.line_families import (
    Delivery,
    LineFamilies,
    LineFaults,
    LineThread,
    RecordingLineAPI,
    line_env,
)
from tests.simulation import REFERENCE, World, make_parents

# The client's own timeout for ordinary calls is PTB's default read timeout of 5 s.
TIMEOUT_DELAY_S = 5.5
# The coordinator who answers the LINE families' requests, and what they write.
COORDINATOR = 700_201
COORDINATOR_REPLY = "明日10時にお電話します。"


@dataclass
class FaultReport(CrashReport):
    faults: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    outage_s: float = 0.0
    outage_calls: int = 0
    outage_cpu_s: float = 0.0
    recovered_s: float = 0.0
    line_faults: Counter[str] = field(default_factory=Counter)
    line_calls: int = 0
    # Per LINE family: how many times the coordinator's reply reached them.
    coordinator_replies: list[int] = field(default_factory=list)

    def line_ok(self) -> bool:
        return self.line is None or (
            not self.line.lost and not self.line.doubled
            and all(n == 1 for n in self.coordinator_replies)
        )

    def lines(self) -> list[str]:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        line_faults = ", ".join(f"{k} {v}" for k, v in sorted(self.line_faults.items()))
        replies = self.coordinator_replies
        return [
            *super().lines(),
            *([f"LINE API calls {self.line_calls}, faults injected"
               f" {sum(self.line_faults.values())} ({line_faults}); coordinators' replies"
               f" pushed to the LINE families: once {replies.count(1)}, twice or more"
               f" {sum(1 for n in replies if n > 1)}, never {replies.count(0)}"]
              if self.line is not None else []),
            f"API calls {self.calls}, faults injected {sum(self.faults.values())} ({faults})",
            f"outage {self.outage_s:.0f} s: {self.outage_calls} calls"
            f" ({self.outage_calls / max(self.outage_s, 1e-9):.2f}/s),"
            f" CPU {self.outage_cpu_s:.2f} s"
            f" ({100 * self.outage_cpu_s / max(self.outage_s, 1e-9):.1f}% of a core);"
            f" first answer {self.recovered_s:.1f} s after the API came back",
        ]


def add_faults(api: FakeBotAPI, kind: FaultKind, seed: int) -> None:
    """About a third of all calls fail: a ninth each 429, 500 and timeout."""
    for method in ("*", "getUpdates"):
        api.add_fault(method, "429", rate=1 / 9, limit=100_000, retry_after=1)
        api.add_fault(method, "500", rate=1 / 8, limit=100_000)
        api.add_fault(method, kind, rate=1 / 7, limit=100_000,
                      delay=TIMEOUT_DELAY_S)


def fault_run(workdir: Path, *, intakes: int, seed: int, concurrency: int, time_limit: float,
              outage_s: float = 10.0, applied_timeouts: bool = False,
              drain_limit: float = 120.0, questions: int = 1, line: int = 0,
              line_concurrency: int = 2, line_faults: LineFaults | None = None) -> FaultReport:
    report = FaultReport(parents=intakes + line, line_families=line)
    started = time.monotonic()
    deadline = started + time_limit
    rng = random.Random(seed)
    line_thread = LineThread(RecordingLineAPI()).start() if line else None
    port = free_port()
    with FakeBotAPI(token=TOKEN, seed=seed) as api:
        more = {"TSUNAGU_COORDINATORS_CHAT": str(COORDINATORS_CHAT),
                "TSUNAGU_LOG_LEVEL": "WARNING"}
        if line_thread is not None:
            more |= line_env(line_thread.api, port)
            more["TSUNAGU_COORDINATORS"] = f"{COORDINATOR}:jido_katei"
        env = tsunagu_env(api, workdir, **more)
        # Faults begin once the bot runs: a start against a failing API is another matter.
        bot = BotProcess(tsunagu_command(), env, workdir, api, name="tsunagu").start()
        kind: FaultKind = "delay" if applied_timeouts else "timeout"
        add_faults(api, kind, seed)
        families: LineFamilies | None = None
        if line_thread is not None:
            line_thread.api.set_faults(line_faults or LineFaults(
                rate_429=1 / 9, retry_after=1.0, rate_500=1 / 8, rate_applied_500=1 / 7,
                seed=seed))
            families = LineFamilies(line_thread, port, reply_timeout=90.0, seed=seed,
                                    first_user=0x82_0000, questions=questions)
            families.start(count=line, concurrency=line_concurrency, until=deadline)
        parents = make_parents(intakes, seed, first_user=820_000, questions=questions)
        pending = list(parents)
        # Answers may take a while (retries with back-off); a parent waits as a person would.
        world = World(api, [], think=(0.0, 0.05), reply_timeout=90.0, seed=seed)
        # The outage comes once about half of the updates are handled.
        outage_at = intakes * (16 + questions) // 2 + rng.randint(0, 3)
        outage = {"done": False}

        def admit() -> None:
            while pending and world.active() < concurrency:
                world.add(pending.pop(0))

        def tick() -> None:
            admit()
            if not outage["done"] and world.stats.actions >= outage_at:
                outage["done"] = True
                _outage(api, bot, report, outage_s, seed, kind)

        try:
            world.on_tick = tick
            while time.monotonic() < deadline and (
                pending or not world.done() or (families is not None and not families.done())
            ):
                admit()
                if world.done() and not pending:
                    tick()
                    time.sleep(0.05)
                world.run(min(deadline, time.monotonic() + 1.0))
            if families is not None:
                coordinator_replies(api, families, deadline + drain_limit)
            api.clear_faults()
            references = {r for p in parents for r in p.references}
            if families is not None:
                references |= {r for f in families.families for r in f.parent.references}
            drain_deadline = time.monotonic() + drain_limit
            while time.monotonic() < drain_deadline:
                group = " ".join(m["text"] for m in api.messages(COORDINATORS_CHAT))
                if references <= set(REFERENCE.findall(group)):
                    break
                time.sleep(0.25)
            time.sleep(1.0)
        finally:
            if bot.terminate() != 0:
                report.log_tail = bot.output()[-3000:]
            if line_thread is not None:
                line_thread.stop()
        report.seconds = time.monotonic() - started
        report.nudges = world.stats.nudges
        report.updates = world.stats.actions
        report.finished = sum(1 for p in parents if p.phase == "done")
        report.calls = len(api.calls)
        report.faults = Counter(c.fault for c in api.calls if c.fault is not None)
        count_repeats(report, api, parents)
        check_database(report, workdir / "t.db", parents)
        check_announcements(report, api, workdir / "t.db")
        if families is not None:
            count_line(report, families, workdir / "t.db")
            report.line_faults = families.api.injected
            report.line_calls = len(families.api.calls)
            report.coordinator_replies = [
                sum(1 for d in families.api.deliveries if d.to == f.user and _is_reply(d))
                for f in families.families
            ]
    return report


def coordinator_replies(api: FakeBotAPI, families: LineFamilies, deadline: float) -> None:
    """The coordinator claims each LINE family's request and replies from Telegram; until
    every reply reached its family (pushed through the outbox) or ``deadline``."""
    api.push_command(COORDINATOR, "start", language_code="ja")
    references = [f.parent.references[-1] for f in families.families if f.parent.references]
    for reference in references:
        api.push_command(COORDINATOR, "claim", reference, language_code="ja")
        api.push_command(COORDINATOR, "reply", f"{reference} {COORDINATOR_REPLY}",
                         language_code="ja")
    users = {f.user for f in families.families if f.parent.references}
    while time.monotonic() < deadline:
        if users <= {d.to for d in list(families.api.deliveries) if _is_reply(d)}:
            break
        time.sleep(0.25)


def _is_reply(delivery: Delivery) -> bool:
    return delivery.event is None and any(
        COORDINATOR_REPLY in str(m.get("text") or m.get("altText")) for m in delivery.messages
    )


def _outage(api: FakeBotAPI, bot: BotProcess, report: FaultReport, seconds: float,
            seed: int, kind: FaultKind) -> None:
    """Every call fails for ``seconds``; then the API comes back with its usual faults."""
    api.clear_faults()
    for method in ("*", "getUpdates"):
        api.add_fault(method, "500", rate=1.0, limit=100_000)
    calls0, cpu0, t0 = len(api.calls), bot.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    report.outage_calls = len(api.calls) - calls0
    report.outage_cpu_s = bot.cpu_seconds() - cpu0
    report.outage_s = time.monotonic() - t0
    api.clear_faults()
    back = time.time()
    sent_before = len(api.sent)
    add_faults(api, kind, seed)
    # How long until the bot gets something through again.
    try:
        api.wait_for(lambda: len(api.sent) > sent_before or None, 60.0,
                      lambda: "a message after the outage")
        report.recovered_s = api.sent[sent_before]["at"] - back
    except TimeoutError:
        report.recovered_s = float("nan")
