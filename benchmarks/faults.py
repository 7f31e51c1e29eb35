"""Faults: requests made while the fake Bot API fails a third of the calls (429 with
retry_after, 500, timeouts), is down altogether for a while, and then recovers.

    .venv/bin/python benchmarks/faults.py [--intakes 4] [--concurrency 4] [--outage 20]
                                          [--line 4] [--seed 5] [--applied-timeouts]
                                          [--time-limit 1800]

Printed: updates, faults injected by kind, conversations finished, answers that never came,
tickets (duplicated or missing), announcements in the coordinators' group (once, twice,
never), and during the outage the bot's calls per second and CPU. Exits 1 unless nothing
was lost or duplicated. ``--applied-timeouts``: a timed-out call was carried out all the
same (its answer was lost on the way back), which no client can tell from a call that never
arrived; that run counts the messages this sends twice and fails only on a loss. See
tests/fault_run.py; tests/test_faults_small.py is the CI-sized run.

``--line`` more requests are made by families on LINE through the same process, while the
fake LINE API fails about a third of its calls (429 with Retry-After, 500, and pushes
carried out but answered 500); a coordinator then replies to each from Telegram, which
reaches the family as a push. Printed besides: per event the desk acknowledged to LINE,
answered once, twice or never; the coordinators' replies reaching the families once,
twice or never. Both must be exactly once. The run is slow by
nature: handling is sequential and every timeout costs the client's 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fault_run import fault_run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intakes", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds every call fails")
    parser.add_argument("--line", type=int, default=4,
                        help="requests made by families on LINE besides (0: none)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--applied-timeouts", action="store_true")
    parser.add_argument("--time-limit", type=float, default=1800.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tsunagu-faults-") as tmp:
        report = fault_run(Path(tmp), intakes=max(1, min(args.intakes, 200)),
                           seed=args.seed, concurrency=max(1, args.concurrency),
                           time_limit=min(args.time_limit, 3600.0),
                           outage_s=max(1.0, min(args.outage, 300.0)),
                           applied_timeouts=args.applied_timeouts,
                           line=max(0, min(args.line, 200)))
    for line in report.lines():
        print(line)
    if report.log_tail:
        print("last stop was not clean:\n" + report.log_tail)
    lost = (report.finished < report.parents or report.missing or report.not_announced
            or report.unsent_outbox)
    line_ok = report.line_ok()
    if args.applied_timeouts:
        # A message sent twice can send a simulated parent down a wrong turn (it answers the
        # copy); /resume then finds the way again, so waits are counted but not failures.
        ok = not lost and not report.duplicated and line_ok
        print(f"result: {'nothing lost' if ok else 'FAILED'}; announced twice"
              f" {len(report.announced_twice)}, parents' answers repeated"
              f" {report.repeated_replies}, parents who had to send /resume {report.nudges}")
    else:
        duplicated = report.duplicated or report.announced_twice
        ok = not lost and not duplicated and not report.nudges and line_ok
        print("result: " + ("nothing lost, nothing duplicated" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
