"""A ranker that needs no model: BM25F over character pieces, words and concepts.

Every entry is a few fields — question, alternates, keywords, answer, and for English
entries the Japanese entry in romaji — each seen as written and as read in kana. A
piece found in the keywords counts for more than one found in the long answer (field
weights), a piece found in every entry counts for almost nothing (inverse document
frequency), and a concept (a synonym group or a keyword) named in the message counts
as one strong piece of its own.

The strength of an entry is the share of the message it explains: its score over the
most the message could score, where words no entry knows count in full. An entry that
shares only chance pieces (two kana) with the message is no candidate at all.

Answers are long and mention many things in passing (nearly every one names the
coordinators), so a piece found only in an answer counts as a fraction of an entry
when deciding how common it is: otherwise "coordinator" would say nothing about the
entry that is about the coordinators.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from content.matching.documents import FIELDS, Document
from content.matching.ranking import Query, Scored
from content.matching.synonyms import CONCEPT_PREFIX, Lexicon
from content.matching.terms import ROMAJI_PREFIX, both_views, romaji_terms

FieldTerms = dict[str, Counter[str]]


@dataclass(frozen=True)
class Weights:
    """How much a piece found in each field counts; tuned on held-out phrasings."""

    question: float = 1.5
    alternates: float = 1.0
    keywords: float = 4.0
    answer: float = 0.7
    romaji: float = 1.0
    # How much of an entry a piece found only in its answer counts for, in frequencies.
    answer_df: float = 0.1
    # BM25 saturation and length normalisation.
    k1: float = 2.0
    b: float = 0.5
    # A concept in the message weighs as much as this many character pieces.
    concept: float = 7.0


def analyse(document: Document, lexicon: Lexicon) -> FieldTerms:
    """Term counts per field: pieces of the text and its reading, and the concepts named."""
    fields: FieldTerms = {}
    for name in FIELDS:
        terms: Counter[str] = Counter()
        for views in document.fields.get(name, ()):
            if name == "romaji":
                terms.update(romaji_terms(views.surface))
                continue
            terms.update(both_views(views.surface, views.reading))
            terms.update(lexicon.concepts_in(views))
        fields[name] = terms
    return fields


class LexicalRanker:
    def __init__(
        self,
        topics: Sequence[str],
        analysed: Sequence[FieldTerms],
        weights: Weights | None = None,
    ) -> None:
        self.weights = w = weights or Weights()
        self.topics = list(topics)
        avg_len = {
            f: max(1.0, sum(sum(a[f].values()) for a in analysed) / max(1, len(analysed)))
            for f in FIELDS
        }
        df: defaultdict[str, float] = defaultdict(float)
        for fields in analysed:
            head = set().union(*(fields[f].keys() for f in FIELDS if f != "answer"))
            for term in head:
                df[term] += 1.0
            for term in fields["answer"].keys() - head:
                df[term] += w.answer_df
        n = len(analysed)
        self.unknown_idf = _idf(n, 0.0)
        self.idf = {t: _idf(n, c) for t, c in df.items()}
        field_weight = {f: getattr(w, f) for f in FIELDS}
        # Per term, each entry's share of the score, worked out once here.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, fields in enumerate(analysed):
            blended: Counter[str] = Counter()
            for f in FIELDS:
                norm = 1 - w.b + w.b * sum(fields[f].values()) / avg_len[f]
                for term, count in fields[f].items():
                    blended[term] += field_weight[f] * count / norm
            for term, tf in blended.items():
                self.postings[term].append((i, self.idf[term] * tf / (w.k1 + tf)))

    @classmethod
    def build(
        cls, documents: Sequence[Document], lexicon: Lexicon, weights: Weights | None = None
    ) -> LexicalRanker:
        return cls([d.topic for d in documents], [analyse(d, lexicon) for d in documents], weights)

    def query_terms(self, query: Query) -> dict[str, float]:
        terms = {t: 1.0 for t in both_views(query.views.surface, query.views.reading)}
        if query.locale == "en":
            terms.update((t, 1.0) for t in romaji_terms(query.views.surface))
        for concept in query.concepts:
            terms[concept] = self.weights.concept
        return terms

    def rank(self, query: Query) -> list[Scored]:
        terms = self.query_terms(query)
        scores = [0.0] * len(self.topics)
        evidence = [0.0] * len(self.topics)
        for term, weight in terms.items():
            worth = _worth(term)
            for doc, share in self.postings.get(term, ()):
                scores[doc] += weight * share
                evidence[doc] += worth
        telling = [doc for doc, e in enumerate(evidence) if e >= 1.0]
        # The most any entry could score: every term of the message found, saturated. A
        # word of the message that no entry has counts fully, so a message mostly about
        # something else scores low; romaji pieces of English words do not (they are
        # only there to catch Japanese words spelt in Latin letters).
        ceiling = sum(
            w * self.idf.get(t, self.unknown_idf)
            for t, w in terms.items()
            if t in self.idf or not t.startswith(ROMAJI_PREFIX)
        )
        anchored = {
            doc
            for term in query.concepts
            if term.startswith(CONCEPT_PREFIX)
            for doc, _ in self.postings.get(term, ())
        }
        # One unit of support: a concept found in the message and in one entry only.
        unit = self.weights.concept * _idf(len(self.topics), 1.0)
        ranked = [
            Scored(
                self.topics[doc],
                strength=min(1.0, scores[doc] / ceiling),
                raw=scores[doc],
                anchored=doc in anchored,
                support=scores[doc] / unit,
            )
            for doc in telling
            if ceiling > 0
        ]
        ranked.sort(key=lambda s: s.raw, reverse=True)
        return ranked


def _worth(term: str) -> float:
    """How much a shared term shows that an entry is a candidate at all (1 is enough).

    A pair of kana (です, って, しい...) is shared by chance and shows nothing; a
    4-letter romaji piece may come from an English word, so it takes two.
    """
    if len(term) == 2 and all("ぁ" <= c <= "ゖ" for c in term):
        return 0.0
    if term.startswith(ROMAJI_PREFIX):
        return 0.5
    return 1.0


def _idf(n: int, df: float) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
