"""A second reader for danger: character n-grams weighed by a logistic regression.

The signs of triage.yaml generalise by composition, but every new author brings words
nobody listed (「首の下がへっこむ」, 「モニターの数字が赤い」). This model reads the same
messages as character 1–3-grams (after the detector's folding), weights learnt from the
messages of the tuning sets (benchmarks/sets/tuning/ and ../shared/eval/emergency-dev.tsv,
written by other authors; never the reported sets). It only adds: a message the signs
missed counts as an emergency when the model is confident *and* nothing in it says past,
hypothetical, practice, resolved, an adult or someone else's story (content/matching/
emergency.py decides that), because n-grams cannot tell 「抜けた」 from 「抜けたら」.

The weights ship as JSON beside this module (``triage_model.json``); reading a message
is a few hundred dictionary look-ups, no numpy. Retrain after changing the tuning sets:

    .venv/bin/python benchmarks/train_triage.py
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from content.matching.normalize import fold

MODEL_PATH = Path(__file__).with_name("triage_model.json")
_SPACES = re.compile(r"(?<=[^\x00-\x7f])[ \u3000]+(?=[^\x00-\x7f])")
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
    folded = _DIGIT.sub("0", _SPACES.sub("", fold(text)))
    grams = {folded[i:i + n] for n in (1, 2, 3) for i in range(len(folded) - n + 1)}
    words = {"w:" + w for w in _ENGLISH_WORD.findall(folded)}
    return {g for g in grams if g.strip()} | words


class TriageModel:
    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self._weights = weights
        self._bias = bias

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TriageModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]))

    def probability(self, text: str) -> float:
        """How likely the message describes a child in danger now, 0..1."""
        weights = self._weights
        z = self._bias + sum(weights.get(f, 0.0) for f in features(text))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def train(examples: Sequence[tuple[bool, str]]) -> TriageModel:
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
    return TriageModel(kept, round(bias, 4))


def read_examples(paths: Iterable[Path]) -> list[tuple[bool, str]]:
    examples: list[tuple[bool, str]] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            parts = line.split("\t")
            if len(parts) != 3 or (number == 0 and parts[0].lower() == "expected"):
                continue
            # FAQ sets hold ordinary questions (a topic id or NONE), unless tagged emergency.
            tags = {t.strip() for t in parts[1].split(",")}
            examples.append((parts[0].strip() == "EMERGENCY" or "emergency" in tags, parts[2]))
    return examples


def training_files(root: Path) -> list[Path]:
    """The tuning sets: ours, the shared development sets, the blind-written rounds; the
    FAQ sets teach what ordinary questions look like."""
    files = sorted((root / "benchmarks" / "sets" / "tuning").glob("*.tsv"))
    files += [root / "benchmarks" / "emergency-cases.tsv", root / "benchmarks" / "faq-cases.tsv"]
    shared = root.parent / "shared" / "eval"
    files += [p for p in (shared / "emergency-dev.tsv", shared / "dev-queries.tsv") if p.is_file()]
    return files


def retrain() -> str:
    """Train on the tuning sets and write ``triage_model.json``; a line saying what was done."""
    root = Path(__file__).resolve().parents[2]
    examples = read_examples(training_files(root))
    model = train(examples)
    MODEL_PATH.write_text(json.dumps(
        {"bias": model._bias, "weights": dict(sorted(model._weights.items())),
         "trained_on": len(examples)}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8")
    return f"{len(examples)} messages, {len(model._weights)} weights -> {MODEL_PATH.name}"
