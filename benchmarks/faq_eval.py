"""How well the shipped matcher and emergency detector do on a file of parent messages.

    .venv/bin/python benchmarks/faq_eval.py FILE.tsv [--lang auto|ja|en] [--content DIR]
                                                      [--no-startup] [--show-misses]

FILE.tsv has ``expected<TAB>tags<TAB>query`` lines (a header line is allowed):
- FAQ format: ``expected`` is a topic id, several ids joined by ``|`` (any is right), or
  ``NONE`` (no entry fits: the bot should refuse). A tag ``emergency`` marks messages
  that must also be recognised as emergencies.
- Emergency format: ``expected`` is ``EMERGENCY`` or ``ORDINARY``.

What is printed (overall, then per tag):
- top-1: the first thing the bot shows is right (the answer, or the first suggestion);
  top-3: a right topic is among what it shows; a refusal shows nothing and counts wrong.
  "ranked" figures are the same on the ranking alone, whatever the band.
- answered: answered directly and rightly. refused: NONE messages the bot refused.
- confidently wrong: answered directly with a wrong topic, over all messages.
- emergencies recognised and ordinary messages wrongly flagged.
- median and p99 time per message (matcher and detector), and start-up time to a ready
  index and to the first answer, cold (no cache) and warm (readings from the disk
  cache), each in a fresh process and counting the imports.
"""

from __future__ import annotations

import time

# Taken before anything else is imported, so the start-up figure includes the imports.
PROCESS_STARTED = time.perf_counter()

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from content.base import Locale  # noqa: E402
from content.loader import DEFAULT_CONTENT_DIR, Content, load_content  # noqa: E402
from content.matching import (  # noqa: E402
    DEFAULT_CACHE_DIR,
    build_emergency_detector,
    build_matching,
)
from content.matching.normalize import text_locale  # noqa: E402
from content.records import FaqMatch  # noqa: E402

EMERGENCY_LABELS = {"EMERGENCY", "ORDINARY", "NORMAL"}


@dataclass(frozen=True)
class Case:
    expected: tuple[str, ...]
    tags: tuple[str, ...]
    query: str


@dataclass
class Outcome:
    case: Case
    match: FaqMatch
    ranked: tuple[str, ...]
    flagged: bool
    seconds: float

    @property
    def shown(self) -> tuple[str, ...]:
        return shown_topics(self.match)


def shown_topics(match: FaqMatch) -> tuple[str, ...]:
    """The topics a parent sees: the answer, or up to three suggestions."""
    if match.mode == "answer" and match.topic:
        return (match.topic,)
    if match.mode == "suggest":
        return tuple(match.suggestions[:3])
    return ()


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)


def read_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            sys.exit(f"{path}:{number}: expected three tab-separated columns")
        expected, tags, query = parts
        if number == 1 and expected.strip().lower() == "expected":
            continue
        cases.append(
            Case(
                tuple(e.strip() for e in expected.split("|")),
                tuple(t.strip() for t in tags.split(",") if t.strip()),
                query,
            )
        )
    return cases


def run(cases: list[Case], content: Content, lang: str, cache_dir: Path,
        semantic: bool) -> list[Outcome]:
    matcher = build_matching(content, cache_dir, semantic)
    if matcher.semantic is not None:
        # The entries are embedded in the background at start; the figures are for the
        # matcher as it runs once that is done.
        matcher.semantic.entries.wait()
    detector = build_emergency_detector(content)
    outcomes = []
    for case in cases:
        locale: Locale = text_locale(case.query) if lang == "auto" else lang  # type: ignore[assignment]
        started = time.perf_counter()
        match = matcher.match(case.query, locale)
        flagged = detector.assess(case.query).emergency
        seconds = time.perf_counter() - started
        ranked = tuple(s.topic for s in matcher.rank(matcher.prepare(case.query, locale))[:3])
        outcomes.append(Outcome(case, match, ranked, flagged, seconds))
    return outcomes


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "-"


def faq_lines(outcomes: list[Outcome]) -> list[str]:
    answerable = [o for o in outcomes if o.case.expected != ("NONE",)]
    nones = [o for o in outcomes if o.case.expected == ("NONE",)]

    def right(o: Outcome, topics: Iterable[str]) -> bool:
        return any(t in o.case.expected for t in topics)

    top1 = sum(right(o, o.shown[:1]) for o in answerable)
    top3 = sum(right(o, o.shown) for o in answerable)
    ranked1 = sum(right(o, o.ranked[:1]) for o in answerable)
    ranked3 = sum(right(o, o.ranked) for o in answerable)
    answered = sum(o.match.mode == "answer" and right(o, o.shown) for o in answerable)
    suggested = sum(o.match.mode == "suggest" for o in answerable)
    refused_answerable = sum(o.match.mode == "refuse" for o in answerable)
    refused = sum(o.match.mode == "refuse" for o in nones)
    pointed = sum(o.match.mode == "refuse" and o.match.offtopic is not None for o in nones)
    wrong = sum(o.match.mode == "answer" and not right(o, o.shown) for o in outcomes)
    lines = []
    if answerable:
        lines += [
            f"  answerable top-1        {rate(top1, len(answerable))}",
            f"  answerable top-3        {rate(top3, len(answerable))}",
            f"  answered correctly      {rate(answered, len(answerable))}",
            f"  suggested / refused     {suggested} / {refused_answerable}",
            f"  ranked top-1 / top-3    {rate(ranked1, len(answerable))} / "
            f"{rate(ranked3, len(answerable))}",
        ]
    if nones:
        lines += [
            f"  off-topic refused       {rate(refused, len(nones))}",
            f"  ... with a pointer      {rate(pointed, len(nones))}",
        ]
    lines.append(f"  confidently wrong       {rate(wrong, len(outcomes))}")
    if any("emergency" in o.case.tags for o in outcomes):
        lines += emergency_lines(outcomes, lambda o: "emergency" in o.case.tags)
    else:
        flagged = sum(o.flagged for o in outcomes)
        lines.append(f"  flagged as emergency    {rate(flagged, len(outcomes))}")
    return lines


def emergency_lines(outcomes: list[Outcome], is_emergency: object) -> list[str]:
    assert callable(is_emergency)
    real = [o for o in outcomes if is_emergency(o)]
    ordinary = [o for o in outcomes if not is_emergency(o)]
    return [
        f"  emergencies recognised  {rate(sum(o.flagged for o in real), len(real))}",
        f"  ordinary flagged        {rate(sum(o.flagged for o in ordinary), len(ordinary))}",
    ]


def latency_lines(outcomes: list[Outcome]) -> list[str]:
    times = sorted(o.seconds * 1000 for o in outcomes)
    if not times:
        return []
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return [
        f"  per message             median {statistics.median(times):.1f} ms, "
        f"p99 {p99:.1f} ms, max {times[-1]:.1f} ms",
    ]


def by_tag(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for tag in o.case.tags:
            groups[tag].append(o)
    return dict(sorted(groups.items()))


def startup_figures(content_dir: Path) -> list[str]:
    """Cold and warm start, each in a fresh interpreter so nothing is loaded already."""
    with tempfile.TemporaryDirectory(prefix="tsunagu-index-") as tmp:
        figures = []
        for label in ("cold (no cache)", "warm (from cache)"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure-startup", tmp, "--content", str(content_dir)],
                capture_output=True, text=True, check=True,
            ).stdout.split()
            figures.append(
                f"  start-up {label:18} index {float(out[0]):.0f} ms, "
                f"first answer {float(out[1]):.0f} ms"
            )
        return figures


def measure_startup(cache_dir: Path, content_dir: Path) -> None:
    started = PROCESS_STARTED
    result = load_content(content_dir)
    assert result.content is not None
    matcher = build_matching(result.content, cache_dir, semantic=True)
    detector = build_emergency_detector(result.content)  # the signs and the n-gram model
    built = time.perf_counter()
    matcher.match("在宅で使える制度を知りたい", "ja")  # needs the kana reader
    detector.assess("在宅で使える制度を知りたい")
    answered = time.perf_counter()
    print(f"{(built - started) * 1000:.1f} {(answered - started) * 1000:.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, nargs="?")
    parser.add_argument("--lang", choices=("auto", "ja", "en"), default="auto")
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timing")
    parser.add_argument("--show-misses", action="store_true", help="list the messages gone wrong")
    parser.add_argument("--lexical", action="store_true",
                        help="without the semantic layer, even when it is installed")
    parser.add_argument("--measure-startup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_startup:
        measure_startup(args.measure_startup, args.content)
        return
    if args.file is None:
        parser.error("a .tsv file of messages is needed")
    result = load_content(args.content)
    if result.content is None:
        sys.exit("\n".join(str(p) for p in result.errors))
    cases = read_cases(args.file)
    emergency_format = all(c.expected[0] in EMERGENCY_LABELS for c in cases)
    # The content's own cache (readings, the entries' vectors): the same figures, without
    # embedding the entries again on every run.
    outcomes = run(cases, result.content, args.lang, DEFAULT_CACHE_DIR, not args.lexical)

    def is_emergency(o: Outcome) -> bool:
        return o.case.expected[0] == "EMERGENCY"

    def summary(group: list[Outcome]) -> list[str]:
        if emergency_format:
            return emergency_lines(group, is_emergency) + latency_lines(group)
        return faq_lines(group) + latency_lines(group)

    print(f"{args.file.name}: {len(cases)} messages")
    print("overall")
    print("\n".join(summary(outcomes)))
    if not args.no_startup:
        print("\n".join(startup_figures(args.content)))
    for tag, group in by_tag(outcomes).items():
        print(f"tag {tag} ({len(group)})")
        print("\n".join(line for line in summary(group) if "per message" not in line))
    if args.show_misses:
        print("misses")
        for o in outcomes:
            if emergency_format:
                if o.flagged != is_emergency(o):
                    print(f"  {o.case.expected[0]:9} flagged={o.flagged}  {o.case.query[:70]}")
                continue
            ok = (
                o.match.mode == "refuse"
                if o.case.expected == ("NONE",)
                else o.match.mode == "answer" and o.shown[0] in o.case.expected
            )
            if not ok:
                print(
                    f"  {'|'.join(o.case.expected):22} {o.match.mode:7} "
                    f"{','.join(o.shown) or o.match.offtopic or '-':40} "
                    f"{o.match.confidence:.2f}  {o.case.query[:60]}"
                )


if __name__ == "__main__":
    main()
