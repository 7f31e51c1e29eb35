"""Character n-grams weighed by a logistic regression: a small reader that learns words.

Two readers are built this way from the tuning sets: danger now
(:mod:`content.matching.triage_model`) and "not the desk's question"
(:mod:`content.matching.scope_ngrams`). A message is read as character 1–3-grams (after
the matcher's folding, digits as 0) and English words; reading it is a few hundred
dictionary look-ups, no numpy. The weights ship as JSON beside the modules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar, Self

from content.matching.normalize import fold_joined

_DIGIT = re.compile(r"[0-9]")
_ENGLISH_WORD = re.compile(r"[a-z]+")
# Training: passes over the data, learning rate, L2 strength; weights smaller than
# PRUNE are left out of the file (they change no decision and double its size).
EPOCHS = 30
RATE = 0.2
L2 = 1e-4
PRUNE = 0.005


def features(text: str) -> set[str]:
    """Character 1–3-grams of the folded text (digits as 0), and English words."""
    folded = _DIGIT.sub("0", fold_joined(text))
    grams = {folded[i:i + n] for n in (1, 2, 3) for i in range(len(folded) - n + 1)}
    words = {"w:" + w for w in _ENGLISH_WORD.findall(folded)}
    return {g for g in grams if g.strip()} | words


class NgramModel:
    # Where a kind of model ships its weights (set by each kind).
    SHIPPED: ClassVar[Path | None] = None

    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self._weights = weights
        self._bias = bias

    @classmethod
    def shipped(cls) -> Self:
        """The weights that ship with the code, read once a process: they never change
        while it runs, and every content reload would read them again."""
        model = _SHIPPED.get(cls)
        if model is None:
            if cls.SHIPPED is None:
                raise TypeError(f"{cls.__name__} ships no weights")
            model = _SHIPPED[cls] = cls.load(cls.SHIPPED)
        assert isinstance(model, cls)
        return model

    @classmethod
    def load(cls, path: Path) -> Self:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]))

    def save(self, path: Path, trained_on: int) -> None:
        path.write_text(json.dumps(
            {"bias": self._bias, "weights": dict(sorted(self._weights.items())),
             "trained_on": trained_on}, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8")

    @property
    def size(self) -> int:
        return len(self._weights)

    def probability(self, text: str) -> float:
        """How likely the message is of the positive class, 0..1."""
        weights = self._weights
        z = self._bias + sum(weights.get(f, 0.0) for f in features(text))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def train(examples: Sequence[tuple[bool, str]]) -> NgramModel:
    """Logistic regression by stochastic gradient descent, in a fixed order (reproducible)."""
    import random

    import numpy as np

    vocabulary: dict[str, int] = {}
    rows = [[vocabulary.setdefault(f, len(vocabulary)) for f in sorted(features(text))]
            for _, text in examples]
    labels = [1.0 if emergency else 0.0 for emergency, _ in examples]
    weights = np.zeros(len(vocabulary))
    bias = 0.0
    order = list(range(len(rows)))
    for epoch in range(EPOCHS):
        random.Random(epoch).shuffle(order)
        for i in order:
            columns = np.array(rows[i], dtype=np.int64)
            z = bias + float(weights[columns].sum())
            gradient = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0))) - labels[i]
            weights[columns] -= RATE * (gradient + L2 * weights[columns])
            bias -= RATE * gradient
    kept = {f: round(float(weights[i]), 4) for f, i in vocabulary.items()
            if abs(weights[i]) >= PRUNE}
    return NgramModel(kept, round(bias, 4))


# Each kind's shipped model, once loaded (two threads loading at once load it twice).
_SHIPPED: dict[type[NgramModel], NgramModel] = {}


def labelled(path: Path) -> Iterator[tuple[str, frozenset[str], str]]:
    """(expected, tags, message) from an ``expected<TAB>tags<TAB>message`` file, the format
    of every set in benchmarks/ and ../shared/eval/ (a header line and # comments skipped)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or line.startswith("#") or parts[0].strip().lower() == "expected":
            continue
        tags = frozenset(t.strip() for t in parts[1].split(","))
        yield parts[0].strip(), tags, parts[2]
