"""Retrain the n-gram model that backs the emergency signs (content/matching/triage_model.py).

    .venv/bin/python benchmarks/train_triage.py

It learns from the tuning sets only (benchmarks/sets/tuning/, benchmarks/*-cases.tsv and
../shared/eval/); the reported sets in benchmarks/sets/reported/ are never read.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from content.matching.triage_model import retrain  # noqa: E402

if __name__ == "__main__":
    print(retrain())
