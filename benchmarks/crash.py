"""Crash: requests made while ``tsunagu run`` is killed with SIGKILL at random moments.

    .venv/bin/python benchmarks/crash.py [--intakes 100] [--kills 30] [--concurrency 10]
                                         [--line 20] [--line-concurrency 3]
                                         [--seed 7] [--time-limit 900]

Simulated parents make ``--intakes`` requests, ``--concurrency`` at a time, against the
real process on a fake Bot API (127.0.0.1); a seeded schedule kills the process at random
moments and starts it again at once. Printed: kills, updates, conversations finished,
answers that never came, tickets (duplicated or missing), announcements in the
coordinators' group (once, twice, never). ``--line`` more requests are made by families on
LINE through the same process's webhook, killed in the middle of their intakes too; for
each event the desk acknowledged to LINE, how often its answer went out (once, twice,
never; a push tried again carries the same retry key). Exits 1 unless every request exists
exactly once, every conversation finished, every ticket was announced exactly once and
every acknowledged LINE event was answered exactly once. See tests/crash_run.py;
tests/test_crash_small.py is the CI-sized run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.crash_run import crash_run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intakes", type=int, default=100)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--line", type=int, default=20,
                        help="requests made by families on LINE besides (0: none)")
    parser.add_argument("--line-concurrency", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=900.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tsunagu-crash-") as tmp:
        report = crash_run(Path(tmp), intakes=max(1, min(args.intakes, 1000)),
                           kills=max(0, min(args.kills, 500)), seed=args.seed,
                           concurrency=max(1, args.concurrency),
                           time_limit=min(args.time_limit, 3600.0),
                           line=max(0, min(args.line, 1000)),
                           line_concurrency=max(1, args.line_concurrency))
    for line in report.lines():
        print(line)
    if report.log_tail:
        print("last stop was not clean:\n" + report.log_tail)
    print("result: " + ("nothing lost, nothing duplicated" if report.ok() else "FAILED"))
    return 0 if report.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
