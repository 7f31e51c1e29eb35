"""Fuzz: generated updates thrown at the whole desk (tests/fuzz_run.py), the full size.

    .venv/bin/python benchmarks/fuzz.py [--updates 10000] [--seed 0]

The same property test as tests/test_fuzz.py (which runs 1,000 in CI), with more updates
and, given ``--seed``, other ones. Prints the examples and updates run, the time taken,
the mix of update kinds, the replies sent and the conversation states reached; exits with
pytest's code (0: every property held after every update).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None,
                        help="draw other updates than the derandomized CI run")
    args = parser.parse_args(argv)
    env = dict(os.environ, TSUNAGU_FUZZ_UPDATES=str(max(10, min(args.updates, 200_000))),
               TSUNAGU_FUZZ_REPORT="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s",
               "tests/test_fuzz.py"]
    if args.seed is not None:
        env["TSUNAGU_FUZZ_SEED"] = str(args.seed)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    print(f"{time.monotonic() - started:.0f} s in all")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
