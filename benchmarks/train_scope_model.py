"""Retrain the two scope models: "not the desk's question" from n-grams
(content/matching/scope_ngrams.py) and from the semantic layer's sentence embeddings
(content/matching/semantic.py; only with the extra installed).

    .venv/bin/pip install -e '.[semantic]'
    .venv/bin/python benchmarks/train_scope_model.py [--folds]

It learns from the tuning sets only: the FAQ rounds in benchmarks/sets/tuning/,
benchmarks/faq-cases.tsv and ../shared/eval/dev-queries.tsv (NONE is "not ours",
anything else is answerable), and every phrasing of the FAQ entries (answerable). The
reported sets in benchmarks/sets/reported/ are never read.

``--folds`` first prints, for each tuning round, how the model learnt without that
round judges it: an estimate of how it does on messages it has not seen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from content.loader import load_content  # noqa: E402
from content.matching import scope_ngrams  # noqa: E402
from content.matching.matcher import Bands  # noqa: E402
from content.matching.semantic import (  # noqa: E402
    SCOPE_MODEL_PATH,
    E5Encoder,
    ScopeModel,
    Vector,
    entry_passages,
)

SOURCES = [
    *sorted((ROOT / "benchmarks" / "sets" / "tuning").glob("faq-round*.tsv")),
    ROOT / "benchmarks" / "faq-cases.tsv",
    ROOT.parent / "shared" / "eval" / "dev-queries.tsv",
]
L2 = 0.01
EPOCHS = 500
RATE = 0.5


def fit(x: Vector, y: Vector, model_id: str) -> ScopeModel:
    """Class-balanced logistic regression with L2, on standardised vectors."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(EPOCHS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= RATE * (z.T @ g / len(y) + L2 * w)
        b -= RATE * float(g.mean())
    return ScopeModel(model_id, mean.astype(np.float32), scale.astype(np.float32),
                      w.astype(np.float32), b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", action="store_true")
    args = parser.parse_args()
    result = load_content()
    assert result.content is not None
    passages = [
        text for pairs in entry_passages(result.content.faq).values() for _, text in pairs
    ]
    print(scope_ngrams.retrain(SOURCES, passages))
    try:
        encoder = E5Encoder()
    except ImportError:
        print("the semantic extra is not installed: its scope model is left as it is")
        return
    groups: list[tuple[str, list[tuple[Vector, bool]]]] = []
    for path in SOURCES:
        read = scope_ngrams.read_faq_cases(path)
        groups.append((path.name, [(encoder.encode(text), outside) for outside, text in read]))
        print(f"{path.name}: {len(read)} messages", file=sys.stderr)
    own = [encoder.encode(text) for text in passages]

    def data(skip: str | None) -> tuple[Vector, Vector]:
        rows = [(v, o) for name, cases in groups if name != skip for v, o in cases]
        x = np.vstack([v for v, _ in rows] + own)
        y = np.array([float(o) for _, o in rows] + [0.0] * len(own))
        return x, y

    if args.folds:
        threshold = Bands().semantic_outside
        for name, cases in groups:
            if not name.startswith("faq-round"):
                continue
            model = fit(*data(name), encoder.model_id)
            outside = [model.outside(v) > threshold for v, o in cases if o]
            inside = [model.outside(v) > threshold for v, o in cases if not o]
            print(f"{name}: not-ours over {threshold} {sum(outside)}/{len(outside)}, "
                  f"answerable over {threshold} {sum(inside)}/{len(inside)}")
    model = fit(*data(None), encoder.model_id)
    model.save(SCOPE_MODEL_PATH, [p.name for p in SOURCES] + ["the FAQ entries' phrasings"])
    print(f"written {SCOPE_MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
