"""How long the two judgements take on the longest messages the channels deliver.

    .venv/bin/python benchmarks/long_messages.py

A parent may paste a page (a discharge summary, a letter). Telegram delivers up to 4,096
characters a message and LINE up to 5,000. Printed per length: the median of five runs of
the emergency detector and of the FAQ matcher (lexical, as the bot answers while the
semantic layer reads only the end of a message). Both should grow in step with the
length, never faster: a regular expression that backtracks shows up here first.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from content.loader import load_content  # noqa: E402
from content.matching import build_emergency_detector, build_matching  # noqa: E402

PARAGRAPH_JA = "呼吸器とカニューレと吸引とけいれんと停電の話。訪問看護が週3回来ています。"
PARAGRAPH_EN = "The ventilator, the cannula, suction and a power cut. Nurses visit weekly. "
LENGTHS = (500, 1000, 2000, 4096, 5000)


def median_ms(action: Callable[[str], object], text: str) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        action(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    content = load_content().content
    assert content is not None
    detector = build_emergency_detector(content)
    matcher = build_matching(content, semantic=False)
    print(f"{'chars':>6}  {'detector ja':>12}  {'detector en':>12}  {'matcher ja':>11}"
          f"  {'matcher en':>11}")
    for length in LENGTHS:
        ja = (PARAGRAPH_JA * (length // len(PARAGRAPH_JA) + 1))[:length]
        en = (PARAGRAPH_EN * (length // len(PARAGRAPH_EN) + 1))[:length]
        print(f"{length:>6}  {median_ms(detector.assess, ja):>9.1f} ms"
              f"  {median_ms(detector.assess, en):>9.1f} ms"
              f"  {median_ms(lambda t: matcher.match(t + str(time.time()), 'ja'), ja):>8.1f} ms"
              f"  {median_ms(lambda t: matcher.match(t + str(time.time()), 'en'), en):>8.1f} ms")


if __name__ == "__main__":
    main()
