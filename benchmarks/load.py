"""Load: many parents at once against a real ``tsunagu run``, and an echo bot for scale.

    .venv/bin/python benchmarks/load.py [--parents 200] [--duration 240] [--think 5 20]
                                        [--saturate 15] [--seed 1] [--no-echo]

Both bots poll the same kind of fake Bot API (tests/fake_bot_api.py) on 127.0.0.1, served
from this process; each bot is its own process, so the CPU time measured for it (from
/proc/PID/stat) is the bot's alone. Simulated parents (tests/simulation.py) each ask a
question and then make a request through the whole intake, pausing between steps as a
person reading and tapping would; a parent who is done is followed by a new one, so the
offered load stays even for the measured window. The echo bot gets the same number of
parents with the same pauses, sending texts and pressing its button in about the
proportion parents making a request do.

Printed for each bot: updates handled per second, reply latency p50/p95/p99 (update queued
→ first reply recorded by the fake), CPU milliseconds per update, peak RSS (VmHWM, MB of
10^6 bytes); then the ratio of tsunagu's CPU per update to the echo bot's; then updates
per second when the parents stop pausing altogether (``--saturate``). tsunagu's is
bounded there by design: its rate limiter keeps to Telegram's 30 messages a second, which
the echo bot ignores. The default pauses (5–20 s: about 15 updates/s from 200 parents)
stay under that limit.

Targets: ratio ≤ 2.5, p95 ≤ 100 ms at 200 parents, RSS ≤ 250 MB; exits 1 when one is
missed. Both bots run side by side under the same load during the measured window, so
that whatever else the machine does weighs on both alike; each is then saturated alone.
Bounded: warm-up plus ``--duration`` plus ``--saturate`` seconds per bot, and a deadline
on every wait.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bot_process import TOKEN, BotProcess, tsunagu_command, tsunagu_env  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402
from tests.line_desk import free_port  # noqa: E402
from tests.line_families import (  # noqa: E402
    LineFamilies,
    LineThread,
    RecordingLineAPI,
    line_env,
    wait_for_webhook,
)
from tests.simulation import EchoParent, Parent, Plan, Stats, World  # noqa: E402

COORDINATORS_CHAT = -1001234567890
TARGET_RATIO = 2.5
TARGET_P95_MS = 100.0
TARGET_RSS_MB = 250.0


@dataclass
class Result:
    name: str
    stats: Stats
    updates: int
    seconds: float
    cpu_s: float
    rss_mb: float
    tickets: int = 0
    stored: int = 0
    saturated: float = 0.0
    messages: int = 0
    # This channel's own updates (``updates`` counts every update the process handled).
    share: int = 0

    @property
    def per_update_ms(self) -> float:
        return 1000 * self.cpu_s / max(self.updates, 1)

    def line(self) -> str:
        s = self.stats
        return (
            f"{self.name:8} {(self.share or self.updates) / self.seconds:7.1f} updates/s  "
            f"p50 {1000 * s.percentile(50):6.1f} ms  p95 {1000 * s.percentile(95):6.1f} ms  "
            f"p99 {1000 * s.percentile(99):6.1f} ms  CPU {self.per_update_ms:5.2f} ms/update "
            f"({100 * self.cpu_s / self.seconds:4.1f}% of a core)  peak RSS {self.rss_mb:5.1f} MB"
            f"  nudges {s.nudges}"
        )


@dataclass
class Side:
    """One bot with its own fake Bot API and its own parents."""

    name: str
    api: FakeBotAPI
    bot: BotProcess
    world: World
    result: Result | None = None
    # LINE families talking to the same process through its webhook (tsunagu only).
    line: LineFamilies | None = None
    line_result: Result | None = None


def measure(side: Side, start: float, warmup: float, duration: float) -> None:
    """From ``start`` (time.monotonic): ``warmup`` seconds unmeasured, then ``duration``."""
    world, bot, line = side.world, side.bot, side.line
    world.start_all(spread=world.think[1])
    world.run(start + warmup)
    actions0, latencies0 = world.stats.actions, len(world.stats.latencies)
    line0 = line.window() if line is not None else (0, 0)
    cpu0, t0 = bot.cpu_seconds(), time.monotonic()
    world.run(start + warmup + duration)
    cpu1, t1 = bot.cpu_seconds(), time.monotonic()
    stats = Stats(latencies=world.stats.latencies[latencies0:],
                  actions=world.stats.actions - actions0, nudges=world.stats.nudges)
    rss = bot.peak_rss_mb()
    line_updates = 0
    if line is not None:
        line.stop_at(t1)
        line_stats = Stats(latencies=line.stats.latencies[line0[1]:],
                           actions=line.stats.actions - line0[0], nudges=line.stats.nudges)
        line_updates = line_stats.actions
        # One process serves both channels: its CPU is shared out per update of either.
        side.line_result = Result("LINE", line_stats, line_updates, t1 - t0, cpu1 - cpu0, rss)
        side.line_result.share = line_updates
    side.result = Result(side.name, stats, stats.actions, t1 - t0, cpu1 - cpu0, rss)
    side.result.share = stats.actions
    for result in (side.result, side.line_result):
        if result is not None:
            result.updates = stats.actions + line_updates


def saturate(side: Side, seconds: float) -> float:
    """Updates per second with the same parents not pausing at all."""
    world = side.world
    world.think = (0.0, 0.0)
    world.run(time.monotonic() + 2.0)
    actions0, t0 = world.stats.actions, time.monotonic()
    world.run(t0 + seconds)
    return (world.stats.actions - actions0) / (time.monotonic() - t0)


def start_tsunagu(args: argparse.Namespace, workdir: Path) -> Side:
    api = FakeBotAPI(token=TOKEN, seed=args.seed).start()
    more = {"TSUNAGU_COORDINATORS_CHAT": str(COORDINATORS_CHAT), "TSUNAGU_LOG_LEVEL": "WARNING"}
    line_thread: LineThread | None = None
    port = free_port()
    if args.line:
        line_thread = LineThread(RecordingLineAPI()).start()
        more |= line_env(line_thread.api, port)
    env = tsunagu_env(api, workdir, **more)
    bot = BotProcess(tsunagu_command(), env, workdir, api, name="tsunagu").start()
    rng = random.Random(args.seed)
    ids = itertools.count(900_000_001)

    def parent() -> Parent:
        return Parent(next(ids), Plan.draw(rng, questions=1))

    world = World(api, [parent() for _ in range(args.parents - args.line)],
                  think=tuple(args.think), reply_timeout=15.0, seed=args.seed, respawn=parent)
    side = Side("tsunagu", api, bot, world)
    if line_thread is not None:
        wait_for_webhook(port)
        side.line = LineFamilies(line_thread, port, think=tuple(args.think), reply_timeout=15.0,
                                 seed=args.seed, first_user=0x1_0000)
    return side


def start_echo(args: argparse.Namespace, workdir: Path) -> Side:
    api = FakeBotAPI(token=TOKEN, seed=args.seed).start()
    command = [sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")]
    bot = BotProcess(command, tsunagu_env(api, workdir), workdir, api, name="echo").start()
    rng = random.Random(args.seed)
    parents: list[Parent] = [EchoParent(910_000_000 + i, Plan.draw(rng, questions=4))
                             for i in range(args.parents)]
    world = World(api, parents, think=tuple(args.think), reply_timeout=15.0, seed=args.seed)
    return Side("echo", api, bot, world)


def finish_tsunagu(side: Side, workdir: Path) -> None:
    assert side.result is not None
    side.result.tickets = sum(len(set(p.references)) for p in side.world.finished)
    with sqlite3.connect(workdir / "t.db") as conn:
        side.result.stored = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    side.result.messages = len(side.api.messages())
    if side.line is not None and side.line_result is not None:
        side.line_result.messages = sum(len(d.messages) for d in side.line.api.deliveries)
        side.line_result.tickets = sum(len(set(f.parent.references))
                                       for f in side.line.families)


def run(args: argparse.Namespace, workdir: Path) -> list[Side]:
    """Both bots under the same load at the same time, so that whatever else the machine
    does weighs on both measurements alike; then each saturated on its own."""
    sides = [start_tsunagu(args, workdir / "tsunagu")]
    if not args.no_echo:
        sides.append(start_echo(args, workdir / "echo"))
    try:
        start = time.monotonic()
        line = sides[0].line
        if line is not None:
            line.start(count=args.line, concurrency=args.line, respawn=True,
                       spread=args.think[1], until=start + args.warmup + args.duration + 60)
        threads = [threading.Thread(target=measure, name=f"load-{s.name}",
                                    args=(s, start, args.warmup, args.duration))
                   for s in sides]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.warmup + args.duration + 120)
        if line is not None:
            # Families in the middle of a step finish it; none starts another.
            line.wait(60.0)
        for side in sides:
            if args.saturate > 0 and side.result is not None:
                side.result.saturated = saturate(side, args.saturate)
    finally:
        for side in sides:
            if side.bot.terminate() != 0:
                print(side.bot.output()[-3000:], file=sys.stderr)
            side.api.stop()
            if side.line is not None:
                side.line.line.stop()
    finish_tsunagu(sides[0], workdir / "tsunagu")
    return sides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parents", type=int, default=200)
    # A request takes a parent about 17 steps of 5–20 s each: long enough for many to finish.
    parser.add_argument("--duration", type=float, default=240.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 20.0),
                        metavar=("MIN", "MAX"), help="seconds a parent takes between steps")
    parser.add_argument("--saturate", type=float, default=15.0,
                        help="seconds of parents not pausing at all, for the most updates/s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-echo", action="store_true", help="measure tsunagu only")
    parser.add_argument("--line", type=int, default=None,
                        help="how many of the parents are families on LINE (default: a quarter;"
                             " 0 for Telegram only)")
    args = parser.parse_args(argv)
    args.parents = max(1, min(args.parents, 2000))
    if args.line is None:
        args.line = args.parents // 4
    args.line = max(0, min(args.line, args.parents - 1))
    args.duration = max(1.0, min(args.duration, 600.0))

    with tempfile.TemporaryDirectory(prefix="tsunagu-load-") as tmp:
        workdir = Path(tmp)
        (workdir / "tsunagu").mkdir()
        (workdir / "echo").mkdir()
        print(f"{args.parents} parents ({args.parents - args.line} on Telegram, {args.line} on"
              f" LINE), think {args.think[0]}–{args.think[1]} s,"
              f" {args.duration:.0f} s measured after {args.warmup:.0f} s warm-up")
        sides = run(args, workdir)
        ours = sides[0].result
        assert ours is not None
        print(ours.line())
        print(f"         requests completed {ours.tickets} (tickets stored {ours.stored} on both"
              f" channels), {ours.messages} messages sent in the whole run;"
              f" saturated: {ours.saturated:.1f} updates/s")
        failed = []
        if ours.stats.percentile(95) * 1000 > TARGET_P95_MS:
            failed.append("p95")
        if ours.rss_mb > TARGET_RSS_MB:
            failed.append("RSS")
        theirs = sides[0].line_result
        if theirs is not None:
            # The same process: its CPU per update and peak RSS are those above, for both.
            print(theirs.line())
            print(f"         requests completed {theirs.tickets}, {theirs.messages} LINE"
                  f" messages sent in the whole run (p95: webhook POST → first reply or push"
                  f" the fake LINE API accepted)")
            if not theirs.stats.latencies or theirs.stats.percentile(95) * 1000 > TARGET_P95_MS:
                failed.append("LINE p95")
        if len(sides) > 1 and sides[1].result is not None:
            echo = sides[1].result
            print(echo.line())
            print(f"         saturated: {echo.saturated:.1f} updates/s")
            ratio = ours.per_update_ms / max(echo.per_update_ms, 1e-9)
            print(f"CPU per update, tsunagu / echo: {ratio:.2f}  (target ≤ {TARGET_RATIO})")
            if ratio > TARGET_RATIO:
                failed.append("CPU ratio")
        print("targets: " + ("all met" if not failed else "missed " + ", ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
