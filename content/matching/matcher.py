"""From a parent's message to an FAQ answer, a short list of guesses, or an honest "no".

Three bands on the best entry's strength and its lead over the next one:
- confident: the entry clearly fits and clearly beats the others → answer it;
- unsure: something fits, but not clearly → offer the top three to choose from;
- nothing close → say so (with a pointer when the message names another ward matter).
Answering wrongly with confidence is the costly mistake, so the answer band asks for
both strength and a lead; a parent who gets three choices loses one tap.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.matching.normalize import normalize, text_locale
from content.matching.offtopic import OffTopicFinder
from content.matching.phrases import Views
from content.matching.ranking import Query, Ranker, Scored
from content.matching.readings import KanaReader
from content.matching.synonyms import Lexicon
from flows.model import Locale
from flows.ports import FaqMatch

SUGGESTIONS = 3


@dataclass(frozen=True)
class Bands:
    """Thresholds on strength (0..1); tuned on held-out phrasings, not on single messages."""

    answer: float = 0.30
    # The best entry must be this much stronger than the second (as a ratio of its strength).
    lead: float = 0.25
    suggest: float = 0.12


class BandedMatcher:
    def __init__(
        self,
        rankers: dict[Locale, Ranker],
        lexicon: Lexicon,
        offtopic: OffTopicFinder,
        reader: KanaReader,
        bands: Bands | None = None,
    ) -> None:
        self._rankers = rankers
        self._lexicon = lexicon
        self._offtopic = offtopic
        self._reader = reader
        self.bands = bands or Bands()

    def prepare(self, text: str, locale: Locale) -> Query:
        surface = normalize(text)
        views = Views.of(surface, self._reader.reading(surface))
        return Query(
            text=text,
            locale=text_locale(text, default=locale),
            views=views,
            concepts=frozenset(self._lexicon.concepts_in(views)),
        )

    def rank(self, query: Query) -> list[Scored]:
        return self._rankers[query.locale].rank(query)

    def match(self, text: str, locale: Locale) -> FaqMatch:
        surface = normalize(text)
        rest = self._offtopic.without_courtesy(surface)
        if not rest:
            if surface and self._offtopic.courtesy_id:
                return FaqMatch(mode="refuse", offtopic=self._offtopic.courtesy_id)
            return FaqMatch(mode="refuse")
        query = self.prepare(rest, locale)
        result = self._banded(self.rank(query))
        hit = self._offtopic.find(query.views, [p for p, _ in self._lexicon.found(query.views)])
        if hit is None:
            return result
        if result.mode == "answer" and self._offtopic.has_care_context(query.views):
            return result
        return FaqMatch(
            mode="refuse",
            confidence=result.confidence,
            suggestions=result.suggestions,
            offtopic=hit.topic,
        )

    def _banded(self, ranked: list[Scored]) -> FaqMatch:
        if not ranked:
            return FaqMatch(mode="refuse")
        best = ranked[0]
        second = ranked[1].strength if len(ranked) > 1 else 0.0
        top = tuple(s.topic for s in ranked[:SUGGESTIONS])
        confidence = round(best.strength, 3)
        lead = (best.strength - second) / best.strength if best.strength else 0.0
        if best.strength >= self.bands.answer and lead >= self.bands.lead:
            return FaqMatch(mode="answer", topic=best.topic, confidence=confidence, suggestions=top)
        if best.strength >= self.bands.suggest:
            return FaqMatch(mode="suggest", confidence=confidence, suggestions=top)
        return FaqMatch(mode="refuse", confidence=confidence, suggestions=top)
