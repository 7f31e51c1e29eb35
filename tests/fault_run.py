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
    count_repeats,
)
from tests.fake_bot_api import FakeBotAPI, FaultKind
from tests.simulation import REFERENCE, World, make_parents

# The client's own timeout for ordinary calls is PTB's default read timeout of 5 s.
TIMEOUT_DELAY_S = 5.5


@dataclass
class FaultReport(CrashReport):
    faults: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    outage_s: float = 0.0
    outage_calls: int = 0
    outage_cpu_s: float = 0.0
    recovered_s: float = 0.0

    def lines(self) -> list[str]:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        return [
            *super().lines(),
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
              drain_limit: float = 120.0, questions: int = 1) -> FaultReport:
    report = FaultReport(parents=intakes)
    started = time.monotonic()
    deadline = started + time_limit
    rng = random.Random(seed)
    with FakeBotAPI(token=TOKEN, seed=seed) as api:
        env = tsunagu_env(api, workdir, TSUNAGU_COORDINATORS_CHAT=str(COORDINATORS_CHAT),
                          TSUNAGU_LOG_LEVEL="WARNING")
        # Faults begin once the bot runs: a start against a failing API is another matter.
        bot = BotProcess(tsunagu_command(), env, workdir, api, name="tsunagu").start()
        kind: FaultKind = "delay" if applied_timeouts else "timeout"
        add_faults(api, kind, seed)
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
            while time.monotonic() < deadline and (pending or not world.done()):
                admit()
                world.run(min(deadline, time.monotonic() + 1.0))
            api.clear_faults()
            references = {r for p in parents for r in p.references}
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
        report.seconds = time.monotonic() - started
        report.nudges = world.stats.nudges
        report.updates = world.stats.actions
        report.finished = sum(1 for p in parents if p.phase == "done")
        report.calls = len(api.calls)
        report.faults = Counter(c.fault for c in api.calls if c.fault is not None)
        count_repeats(report, api, parents)
        check_database(report, workdir / "t.db", parents)
        check_announcements(report, api, workdir / "t.db")
    return report


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
