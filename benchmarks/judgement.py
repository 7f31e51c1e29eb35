"""The bot's two judgements, measured from outside through ``tsunagu ask --json -``.

    .venv/bin/python benchmarks/judgement.py FILE.tsv [FILE.tsv ...] [--show-misses]

Each FILE has ``expected<TAB>tags<TAB>message`` lines (a header line is allowed):
- emergency sets: ``expected`` is EMERGENCY or NORMAL (ORDINARY is read as NORMAL);
- FAQ sets: a topic id, ids joined by ``|`` (any is right), or NONE (not the desk's to answer).

The messages go to one ``tsunagu ask --json -`` process, one line at a time, exactly as staff
would run it; each answer is timed from writing the line to reading its JSON. Printed, overall
and per tag (a tag is a category such as ``trach`` or a style such as ``english``):
- emergency sets: emergencies recognised (the full guidance), ordinary messages flagged, and
  how many got only the calm line;
- FAQ sets: top-1 (the answer, or the first suggestion, is right), top-3, answered directly and
  rightly, off-topic refused, confidently wrong over all messages, flagged as emergency;
- per message median and p99 in ms, and the time to the first answer (start-up: a greeting
  is sent first, so no message is timed with it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.faq_eval import Case, read_cases  # noqa: E402

NORMAL = {"NORMAL", "ORDINARY"}


@dataclass(frozen=True)
class Result:
    case: Case
    answer: dict[str, Any]
    ms: float

    @property
    def shown(self) -> list[str]:
        if self.answer["topic"]:
            return [self.answer["topic"]]
        return list(self.answer["suggestions"][:3]) if self.answer["mode"] == "suggest" else []

    @property
    def is_emergency_case(self) -> bool:
        return self.case.expected[0] == "EMERGENCY"


def ask_all(cases: list[Case]) -> tuple[list[Result], float]:
    """Every message through one ``tsunagu ask --json -``; the results and the start-up ms."""
    command = shutil.which("tsunagu", path=str(Path(sys.executable).parent)) or "tsunagu"
    started = time.perf_counter()
    process = subprocess.Popen([command, "ask", "--json", "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    results: list[Result] = []

    def answer(text: str) -> str:
        stdin.write(" ".join(text.split()) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            sys.exit("tsunagu ask stopped early")
        return line

    try:
        # A greeting first: its answer is the start-up, so no case is timed with it.
        answer("こんにちは")
        startup = (time.perf_counter() - started) * 1000
        for case in cases:
            sent = time.perf_counter()
            line = answer(case.query)
            results.append(Result(case, json.loads(line), (time.perf_counter() - sent) * 1000))
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    return results, startup


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "-"


def emergency_lines(results: list[Result]) -> list[str]:
    real = [r for r in results if r.is_emergency_case]
    normal = [r for r in results if not r.is_emergency_case]
    return [
        f"  emergencies recognised  {rate(sum(r.answer['emergency'] for r in real), len(real))}",
        f"  ordinary flagged        "
        f"{rate(sum(r.answer['emergency'] for r in normal), len(normal))}",
        f"  calm line only          {sum(bool(r.answer.get('possible')) for r in results)}",
    ]


def faq_lines(results: list[Result]) -> list[str]:
    answerable = [r for r in results if r.case.expected != ("NONE",)]
    nones = [r for r in results if r.case.expected == ("NONE",)]

    def right(r: Result, topics: list[str]) -> bool:
        return any(t in r.case.expected for t in topics)

    lines = []
    if answerable:
        top1 = sum(right(r, r.shown[:1]) for r in answerable)
        top3 = sum(right(r, r.shown) for r in answerable)
        answered = sum(r.answer["mode"] == "answer" and right(r, r.shown) for r in answerable)
        lines += [f"  answerable top-1        {rate(top1, len(answerable))}",
                  f"  answerable top-3        {rate(top3, len(answerable))}",
                  f"  answered correctly      {rate(answered, len(answerable))}"]
    if nones:
        refused = sum(r.answer["mode"] in ("refuse", "emergency") and not r.shown for r in nones)
        lines.append(f"  off-topic refused       {rate(refused, len(nones))}")
    wrong = sum(r.answer["mode"] == "answer" and not right(r, r.shown) for r in results)
    flagged = sum(r.answer["emergency"] for r in results)
    lines += [f"  confidently wrong       {rate(wrong, len(results))}",
              f"  flagged as emergency    {rate(flagged, len(results))}"]
    return lines


def latency_lines(results: list[Result]) -> list[str]:
    times = sorted(r.ms for r in results)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return [f"  per message             median {statistics.median(times):.1f} ms, "
            f"p99 {p99:.1f} ms, max {times[-1]:.1f} ms"]


def report(path: Path, show_misses: bool) -> None:
    cases = read_cases(path)
    is_emergency_set = all(c.expected[0] in NORMAL | {"EMERGENCY"} for c in cases)
    results, startup = ask_all(cases)
    summary: Callable[[list[Result]], list[str]] = (
        emergency_lines if is_emergency_set else faq_lines)
    print(f"{path.name}: {len(cases)} messages")
    print("overall")
    print("\n".join(summary(results) + latency_lines(results)))
    print(f"  first answer after      {startup:.0f} ms (start-up included)")
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        for tag in r.case.tags:
            groups[tag].append(r)
    for tag, group in sorted(groups.items()):
        print(f"tag {tag} ({len(group)})")
        print("\n".join(line for line in summary(group) if "calm line" not in line))
    if show_misses:
        print("misses")
        for r in results:
            if is_emergency_set:
                if r.answer["emergency"] != r.is_emergency_case:
                    print(f"  {r.case.expected[0]:9} {r.case.query[:80]}")
                continue
            ok = (not r.shown if r.case.expected == ("NONE",)
                  else r.answer["mode"] == "answer" and r.shown[0] in r.case.expected)
            if not ok:
                print(f"  {'|'.join(r.case.expected):22} {r.answer['mode']:7} "
                      f"{','.join(r.shown) or '-':30} {r.answer['confidence']:.2f}  "
                      f"{r.case.query[:60]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    for path in args.files:
        report(path, args.show_misses)


if __name__ == "__main__":
    main()
