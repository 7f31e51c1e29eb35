"""A second reader for danger: character n-grams weighed by a logistic regression.

The signs of triage.yaml generalise by composition, but every new author brings words
nobody listed (「首の下がへっこむ」, 「モニターの数字が赤い」). This model reads the same
messages as character 1–3-grams (after the detector's folding), weights learnt from the
messages of the tuning sets (benchmarks/sets/tuning/ and ../shared/eval/emergency-dev.tsv,
written by other authors; never the reported sets). It only adds: a message the signs
missed counts as an emergency when the model is confident *and* nothing in it says past,
hypothetical, practice, resolved, an adult or someone else's story (content/matching/
emergency.py decides that), because n-grams cannot tell 「抜けた」 from 「抜けたら」.

The model is an :class:`~content.matching.ngrams.NgramModel`; its weights ship as JSON
beside this module (``triage_model.json``). Retrain after changing the tuning sets:

    .venv/bin/python benchmarks/train_triage.py
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from content.matching.ngrams import NgramModel, labelled, train

MODEL_PATH = Path(__file__).with_name("triage_model.json")


class TriageModel(NgramModel):
    """P(the message tells of a child in danger now)."""

    SHIPPED = MODEL_PATH


def read_examples(paths: Iterable[Path]) -> list[tuple[bool, str]]:
    # FAQ sets hold ordinary questions (a topic id or NONE), unless tagged emergency.
    return [(expected == "EMERGENCY" or "emergency" in tags, text)
            for path in paths for expected, tags, text in labelled(path)]


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
    model.save(MODEL_PATH, len(examples))
    return f"{len(examples)} messages, {model.size} weights -> {MODEL_PATH.name}"

