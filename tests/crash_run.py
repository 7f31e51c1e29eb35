"""Requests made while the bot is killed with SIGKILL at random moments, and what survives.

Shared by tests/test_crash_small.py (CI size) and benchmarks/crash.py (full size). The real
``tsunagu run`` polls the fake Bot API; simulated parents (tests/simulation.py) make their
requests while a seeded schedule kills the process (no clean-up of any kind) and starts it
again. The fake keeps every update the bot has not confirmed, as Telegram does, so updates
in flight come again after the restart. Afterwards the database and the fake's record are
compared:

- every parent's request exists exactly once (one ticket per family, none lost);
- every conversation went on to the end (the parent saw the reference);
- every ticket was announced in the coordinators' group exactly once;
- how often a parent had to send /resume because an answer never came.

With ``line`` families on LINE as well (tests/line_families.py), the same process also
serves its LINE webhook, and the kills land in the middle of their intakes too. LINE
redelivers what the desk did not acknowledge; every event it did acknowledge must be
answered exactly once (each batch of its answer accepted by the fake LINE API once, by
reply or by push: a push tried again carries the same retry key), and their requests are
counted with the others.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.bot_process import TOKEN, BotProcess, tsunagu_command, tsunagu_env
from tests.fake_bot_api import FakeBotAPI, buttons
from tests.line_desk import free_port
from tests.line_families import (
    LineFamilies,
    LineTally,
    LineThread,
    RecordingLineAPI,
    line_env,
    tally,
)
from tests.simulation import REFERENCE, Parent, World, make_parents

COORDINATORS_CHAT = -1009876543210


@dataclass
class CrashReport:
    parents: int
    kills: int = 0
    finished: int = 0
    tickets: int = 0
    # Families with more than one ticket, and families without one.
    duplicated: list[str] = field(default_factory=list)
    missing: list[int | str] = field(default_factory=list)
    announced_once: int = 0
    announced_twice: list[str] = field(default_factory=list)
    not_announced: list[str] = field(default_factory=list)
    unsent_outbox: int = 0
    nudges: int = 0
    # Replies a parent got twice (the same text right after itself).
    repeated_replies: int = 0
    updates: int = 0
    seconds: float = 0.0
    log_tail: str = ""
    # Of ``parents``, the families on LINE, and what became of each of their events.
    line_families: int = 0
    line: LineTally | None = None
    line_redeliveries: int = 0
    line_nudges: int = 0

    def ok(self) -> bool:
        return (self.finished == self.parents and self.tickets == self.parents
                and not self.duplicated and not self.missing and not self.announced_twice
                and not self.not_announced and self.unsent_outbox == 0
                and (self.line is None or (not self.line.doubled and not self.line.lost)))

    def lines(self) -> list[str]:
        return [
            f"parents {self.parents}, kills {self.kills}, updates {self.updates},"
            f" {self.seconds:.0f} s",
            f"conversations finished {self.finished}/{self.parents};"
            f" answers that never came (parent sent /resume) {self.nudges};"
            f" replies repeated {self.repeated_replies}",
            f"tickets {self.tickets}; families with two or more {len(self.duplicated)};"
            f" families without one {len(self.missing)}",
            f"announced in the group exactly once {self.announced_once}; twice or more"
            f" {len(self.announced_twice)}; never {len(self.not_announced)};"
            f" outbox rows unsent {self.unsent_outbox}",
            *([f"of them on LINE {self.line_families} (answers that never came"
               f" {self.line_nudges}); {self.line.line()};"
               f" webhook calls delivered again {self.line_redeliveries}"]
              if self.line is not None else []),
        ]


def crash_run(workdir: Path, *, intakes: int, kills: int, seed: int, concurrency: int,
              time_limit: float, drain_limit: float = 120.0, line: int = 0,
              line_concurrency: int = 3) -> CrashReport:
    """Make ``intakes`` requests, ``concurrency`` at a time, killing the bot ``kills`` times;
    ``line`` more by families on LINE, ``line_concurrency`` at a time."""
    rng = random.Random(seed)
    report = CrashReport(parents=intakes + line, line_families=line)
    started = time.monotonic()
    deadline = started + time_limit
    line_thread = LineThread(RecordingLineAPI()).start() if line else None
    port = free_port()
    with FakeBotAPI(token=TOKEN, seed=seed) as api:
        more = {"TSUNAGU_COORDINATORS_CHAT": str(COORDINATORS_CHAT),
                "TSUNAGU_LOG_LEVEL": "WARNING"}
        if line_thread is not None:
            more |= line_env(line_thread.api, port)
        env = tsunagu_env(api, workdir, **more)
        bot = BotProcess(tsunagu_command(), env, workdir, api, name="tsunagu").start()
        parents = make_parents(intakes, seed, first_user=810_000, questions=1)
        families: LineFamilies | None = None
        if line_thread is not None:
            # Started at once: a family's first calls may come before the webhook listens,
            # and are delivered again, as LINE does.
            families = LineFamilies(line_thread, port, reply_timeout=8.0, seed=seed,
                                    first_user=0x81_0000)
            families.start(count=line, concurrency=line_concurrency, until=deadline)
        # Roughly 17 updates per request (19 on LINE, with the follow); kills are spread over
        # that many updates.
        expected_updates = intakes * 17 + line * 19
        kill_at = sorted(rng.sample(range(5, expected_updates), k=min(kills, expected_updates - 5)))
        pending = list(parents)
        world = World(api, [], think=(0.0, 0.05), reply_timeout=8.0, seed=seed)

        def admit() -> None:
            # Keep ``concurrency`` parents talking; the next starts when one is done.
            while pending and world.active() < concurrency:
                world.add(pending.pop(0))

        def actions() -> int:
            return world.stats.actions + (families.stats.actions if families else 0)

        def tick() -> None:
            admit()
            if kill_at and actions() >= kill_at[0]:
                kill_at.pop(0)
                # A few milliseconds later, to land anywhere in handling the update.
                time.sleep(rng.uniform(0, 0.03))
                bot.kill()
                report.kills += 1
                bot.start()

        try:
            world.on_tick = tick
            while time.monotonic() < deadline and (
                pending or not world.done() or (families is not None and not families.done())
            ):
                admit()
                if world.done() and not pending:
                    # Only LINE families are left: the kills go on among them.
                    tick()
                    time.sleep(0.02)
                world.run(min(deadline, time.monotonic() + 1.0))
            # The notices go out at the group's pace (digests for bursts): wait for them.
            references = {r for p in parents for r in p.references}
            if families is not None:
                references |= {r for f in families.families for r in f.parent.references}
            drain_deadline = min(time.monotonic() + drain_limit, deadline + drain_limit)
            while time.monotonic() < drain_deadline:
                group = " ".join(m["text"] for m in api.messages(COORDINATORS_CHAT))
                if references <= set(REFERENCE.findall(group)):
                    break
                time.sleep(0.25)
            time.sleep(1.0)  # anything sent twice would come right behind
        finally:
            if bot.terminate() != 0:
                report.log_tail = bot.output()[-3000:]
            if line_thread is not None:
                line_thread.stop()
        report.seconds = time.monotonic() - started
        report.kills = report.kills
        report.nudges = world.stats.nudges
        report.updates = world.stats.actions
        report.finished = sum(1 for p in parents if p.phase == "done")
        count_repeats(report, api, parents)
        check_database(report, workdir / "t.db", parents)
        check_announcements(report, api, workdir / "t.db")
        if families is not None:
            count_line(report, families, workdir / "t.db")
    return report


def count_line(report: CrashReport, families: LineFamilies, path: Path) -> None:
    """The LINE families' share of the report: their events, conversations and requests."""
    report.line = tally(families)
    report.line_redeliveries = families.redeliveries
    report.line_nudges = families.stats.nudges
    report.nudges += families.stats.nudges
    report.updates += families.stats.actions
    report.finished += sum(1 for f in families.families if f.done)
    with sqlite3.connect(path) as conn:
        per_family = Counter(
            row[0] for row in conn.execute("SELECT subject FROM ticket_details"))
    report.missing += [f.user for f in families.families
                       if per_family.get(f"line:{f.user}:{f.user}", 0) == 0]


def count_repeats(report: CrashReport, api: FakeBotAPI, parents: list[Parent]) -> None:
    # A toggled choice shows the same question again with one tick more, so the buttons'
    # labels count as part of what the parent sees.
    for parent in parents:
        seen = [(m["text"], tuple(buttons(m))) for m in api.messages(parent.user_id)]
        report.repeated_replies += sum(1 for a, b in itertools.pairwise(seen) if a == b)


def check_database(report: CrashReport, path: Path, parents: list[Parent]) -> None:
    with sqlite3.connect(path) as conn:
        report.tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        per_family = Counter(
            row[0] for row in conn.execute("SELECT subject FROM ticket_details"))
        report.unsent_outbox = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND kind = 'ticket_new'"
        ).fetchone()[0]
    report.duplicated = [s for s, n in per_family.items() if n > 1]
    report.missing = [p.user_id for p in parents
                      if per_family.get(f"telegram:{p.user_id}:{p.user_id}", 0) == 0]


def check_announcements(report: CrashReport, api: FakeBotAPI, path: Path) -> None:
    with sqlite3.connect(path) as conn:
        stored = [row[0] for row in conn.execute("SELECT reference FROM tickets")]
    # New-ticket notices and digests are new messages; later edits of them are not counted.
    seen = Counter(r for m in api.messages(COORDINATORS_CHAT)
                   for r in set(REFERENCE.findall(m["text"])))
    report.announced_once = sum(1 for r in stored if seen[r] == 1)
    report.announced_twice = [r for r in stored if seen[r] > 1]
    report.not_announced = [r for r in stored if seen[r] == 0]
