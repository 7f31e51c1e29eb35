"""Is a question the desk's at all? Character n-grams learnt from "not ours" questions.

The lexical ranker answers confidently whenever a question shares enough words with an
entry, and questions that are not the desk's share them on purpose as often as not:
「ヘルパーの資格ってどこで取れる？」 (a job, not home help), "How do I get a resident
parking permit" (the police, not mobility support), 「小児慢性特定疾病の区内の認定件数」
(statistics, not the allowance). This reader learnt the wording of such questions from the
FAQ tuning sets (NONE against answerable) and the FAQ entries' own phrasings (answerable),
never from the reported sets. It only takes confidence away: an answer it is sure is not
the desk's (``BandedMatcher``'s ``ngram_outside``) becomes suggestions, and then the
semantic layer, when installed, says "not ours" or offers the choices. Reading a message
costs a few hundred dictionary look-ups. Retrain after adding tuning rounds:

    .venv/bin/python benchmarks/train_scope_model.py
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from content.matching.ngrams import NgramModel, labelled, train

NGRAMS_PATH = Path(__file__).with_name("scope_ngrams.json")


class ScopeNgrams(NgramModel):
    """P(the question is not the desk's)."""

    SHIPPED = NGRAMS_PATH


def read_faq_cases(path: Path) -> list[tuple[bool, str]]:
    """(not ours, message) from an FAQ set."""
    return [(expected == "NONE", text) for expected, _, text in labelled(path)]


def retrain(sources: Iterable[Path], phrasings: Iterable[str]) -> str:
    examples = [case for path in sources for case in read_faq_cases(path)]
    examples += [(False, text) for text in phrasings]
    model = train(examples)
    model.save(NGRAMS_PATH, len(examples))
    return f"{len(examples)} messages, {model.size} weights -> {NGRAMS_PATH.name}"

