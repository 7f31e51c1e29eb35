"""From a parent's message to an FAQ answer, a short list of guesses, or an honest "no".

Scope comes first (:mod:`content.matching.scope`): a message about an adult's own care
or another municipality's services is answered with a pointer, never with the nearest
entry, because ranking finds a nearest entry for anything. Then three bands on the best
entry's strength and its lead over the next one:
- confident: the entry clearly fits and clearly beats the others → answer it;
- unsure: something fits, but not clearly → offer the top three to choose from;
- nothing close → say so (with a pointer when the message names another ward matter).
Answering wrongly with confidence is the costly mistake, so the answer band asks for
both strength and a lead; a parent who gets three choices loses one tap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from content.base import Locale
from content.matching.normalize import normalize, text_locale
from content.matching.offtopic import Matter, OffTopicFinder
from content.matching.phrases import Views
from content.matching.ranking import Query, Ranker, Scored
from content.matching.readings import KanaReader
from content.matching.scope import OutOfScope, ScopeFinder, without_comparisons
from content.matching.scope_ngrams import ScopeNgrams
from content.matching.semantic import SemanticReader, fuse
from content.matching.synonyms import Lexicon
from content.records import FaqMatch

SUGGESTIONS = 3


@dataclass(frozen=True)
class Bands:
    """Thresholds on strength (0..1), set on held-out phrasings (each FAQ alternate matched
    against the FAQ without it), not on single messages.

    The lead of the best entry over the second tells right from wrong far better than
    the best strength alone: with a lead of 0.06 the best entry was right 19 times in 20.
    """

    answer_lead: float = 0.06
    answer_strength: float = 0.10
    # Without a synonym-list subject in common (only words, or an entry's own keyword),
    # an answer needs this much strength: 公園で遊べる場所 shares only 場所 with the
    # entry about the desk's place and hours.
    unanchored_strength: float = 0.30
    # And some evidence at all: a message of one common word gets suggestions.
    answer_support: float = 0.6
    suggest_strength: float = 0.08
    # The semantic layer's scope model (P not ours) above which suggestions become an
    # honest "not ours": on each tuning round, learnt without it, this refused about
    # three quarters of the not-ours questions and 1 in 50 answerable ones (mostly
    # answered anyway by a clear entry, which the layer leaves alone).
    semantic_outside: float = 0.8
    # The n-gram scope reader's P(not ours) above which a confident answer becomes
    # suggestions: on each tuning round, learnt without it, this caught four in five of
    # the confidently wrong answers and touched 1 in 170 right ones (which stay among
    # the suggestions).
    ngram_outside: float = 0.98


def confidence(lead: float) -> float:
    """How likely the best entry is right, from its lead (fitted on held-out phrasings)."""
    return round(1.0 - 0.6 * math.exp(-lead / 0.035), 3)


class BandedMatcher:
    def __init__(
        self,
        rankers: dict[Locale, Ranker],
        lexicon: Lexicon,
        offtopic: OffTopicFinder,
        reader: KanaReader,
        bands: Bands | None = None,
        scope: ScopeFinder | None = None,
        semantic: SemanticReader | None = None,
        ngrams: ScopeNgrams | None = None,
        phrasings: frozenset[str] = frozenset(),
    ) -> None:
        self._rankers = rankers
        self._lexicon = lexicon
        self._offtopic = offtopic
        self._reader = reader
        self._scope = scope
        self.semantic = semantic
        self.ngrams = ngrams
        # The entries' own questions and alternates, normalised: what staff wrote for an
        # entry is answered as the lexical matcher decides, whatever the readers think.
        self._phrasings = phrasings
        # The last message and its match: one message is matched by more than one step
        # (the reply, the record of unanswered questions, `tsunagu ask`), and the
        # semantic layer costs tens of milliseconds. Replaced whole, never mutated.
        self._last: tuple[str, Locale, FaqMatch] | None = None
        self.bands = bands or Bands()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every reader is ready (the semantic layer's entry vectors, embedded
        in the background); False if ``timeout`` ran out first."""
        return self.semantic is None or self.semantic.entries.wait(timeout)

    def prepare(self, text: str, locale: Locale) -> Query:
        """The message as the rankers see it (greetings and thanks taken out)."""
        return self._query(text, self._offtopic.without_courtesy(normalize(text)), locale)

    def _query(self, text: str, surface: str, locale: Locale) -> Query:
        views = Views.of(surface, self._reader.reading(surface))
        named = self._lexicon.named_in(views)
        return Query(
            text=text,
            locale=text_locale(text, default=locale),
            views=views,
            concepts=named.concepts,
            named=named.terms,
        )

    def rank(self, query: Query) -> list[Scored]:
        return self._rankers[query.locale].rank(query)

    def match(self, text: str, locale: Locale) -> FaqMatch:
        last = self._last
        if last is not None and last[0] == text and last[1] == locale:
            return last[2]
        result = self._match(text, locale)
        self._last = (text, locale, result)
        return result

    def _match(self, text: str, locale: Locale) -> FaqMatch:
        surface = normalize(text)
        result, ranked = self._lexical(text, surface, locale)
        if surface in self._phrasings:
            return result
        if (result.mode == "answer" and self.ngrams is not None
                and self.ngrams.probability(text) > self.bands.ngram_outside):
            # Words enough for an answer, in a question worded the way questions that
            # are not the desk's are: not sure after all.
            result = FaqMatch(mode="suggest", confidence=result.confidence,
                              suggestions=result.suggestions)
        if result.mode != "suggest" or self.semantic is None:
            # A clear answer or a refusal stands: the embedding is read only where the
            # words left the matcher unsure (and costs its time only there).
            return result
        reading = self.semantic.read(text, text_locale(text, default=locale))
        if reading.outside > self.bands.semantic_outside:
            return FaqMatch(mode="refuse", confidence=result.confidence,
                            suggestions=result.suggestions, offtopic=result.offtopic)
        if not reading.ranked:
            return result
        lexical = [s.topic for s in ranked]
        return result.model_copy(
            update={"suggestions": fuse(lexical, reading.ranked, SUGGESTIONS)})

    def _lexical(self, text: str, surface: str, locale: Locale) -> tuple[FaqMatch, list[Scored]]:
        """The lexical decision on the message (``surface``: normalised), and the ranking it
        came from (empty when there was none)."""
        rest = self._offtopic.without_courtesy(surface)
        query = self._query(text, rest, locale)
        matter = self._offtopic.find(query.views, query.named)
        outside = self._scope.assess(rest) if self._scope else None
        if matter is not None or (outside is not None and outside.dimension == "who"):
            matter, outside = self._beyond_comparisons(text, rest, locale, matter, outside)
        if outside is not None:
            # A named ward matter says more than "an adult" (祖母の介護認定 → long-term
            # care insurance); another municipality's matter is that municipality's.
            pointer = matter.topic if matter and outside.dimension == "who" else outside.pointer
            return FaqMatch(mode="refuse",
                            offtopic=pointer or (matter.topic if matter else None)), []
        ranked = self.rank(query) if rest else []
        if not ranked and rest != surface:
            # Greetings or thanks and nothing else to go on.
            return FaqMatch(mode="refuse", offtopic=self._offtopic.courtesy_id), ranked
        result = self._banded(ranked)
        if rest != surface and result.mode != "answer" and not self._offtopic.asks(text, rest):
            # Thanks with nothing asked and no entry that clearly fits: a thank-you
            # (コーディネーターさん、いつもありがとう！今日はそれだけ伝えたくて). An entry that
            # clearly fits is still worth showing (ありがとうございます。呼吸器の停電対策).
            return FaqMatch(mode="refuse", offtopic=self._offtopic.courtesy_id), ranked
        if matter is None:
            return self._healthy_child(text, rest, locale, result), ranked
        healthy = self._scope is not None and self._scope.says_healthy(rest)
        # 医ケアのない上の子の保育園: the care named inside the words of health is none.
        views = (self._query(text, self._scope.without_healthy(rest), locale).views
                 if healthy and self._scope is not None else query.views)
        about_healthy = healthy and self._scope is not None and self._scope.asks_about_healthy(rest)
        if (
            result.mode == "answer"
            and matter.care_may_answer
            and not about_healthy
            and self._offtopic.has_care_context(
                views,
                matter,
                child=self._scope is None or self._scope.mentions_child(rest),
                healthy=healthy,
            )
        ):
            return result, ranked
        return FaqMatch(
            mode="refuse",
            confidence=result.confidence,
            suggestions=result.suggestions,
            offtopic=matter.topic,
        ), ranked

    def _beyond_comparisons(
        self, text: str, rest: str, locale: Locale, matter: Matter | None,
        outside: OutOfScope | None,
    ) -> tuple[Matter | None, OutOfScope | None]:
        """The ward matter and the adult, unless named only to compare with (障害児相談支援
        って…高齢者のケアマネさんみたいなもの？ asks about the desk's own service). Another
        municipality stays: 船橋市のマル乳みたいな制度 asks about Funabashi's."""
        compared = without_comparisons(rest)
        if compared == rest:
            return matter, outside
        if matter is not None:
            query = self._query(text, compared, locale)
            matter = self._offtopic.find(query.views, query.named)
        if outside is not None and outside.dimension == "who" and self._scope is not None:
            outside = self._scope.assess(compared)
        return matter, outside

    def _healthy_child(self, text: str, rest: str, locale: Locale, result: FaqMatch) -> FaqMatch:
        """A question about a child the message calls healthy (上の子（健常）の入学通知,
        医ケアのない下の子の保育園申込み), with no care named besides, is the ward's ordinary
        matter, not the nearest entry about children who need care."""
        scope = self._scope
        if (scope is None or result.mode != "answer" or result.topic in scope.healthy_may_answer
                or not scope.says_healthy(rest)):
            return result
        views = self._query(text, scope.without_healthy(rest), locale).views
        if self._offtopic.names_care(views) and not scope.asks_about_healthy(rest):
            return result
        return FaqMatch(mode="refuse", confidence=result.confidence,
                        suggestions=result.suggestions, offtopic=scope.healthy_pointer)

    def _banded(self, ranked: list[Scored]) -> FaqMatch:
        if not ranked:
            return FaqMatch(mode="refuse")
        best = ranked[0].strength
        lead = best - (ranked[1].strength if len(ranked) > 1 else 0.0)
        top = tuple(s.topic for s in ranked[:SUGGESTIONS])
        sure = confidence(lead)
        floor = self.bands.answer_strength if ranked[0].anchored else self.bands.unanchored_strength
        enough = ranked[0].support >= self.bands.answer_support
        if best >= floor and lead >= self.bands.answer_lead and enough:
            return FaqMatch(mode="answer", topic=top[0], confidence=sure, suggestions=top)
        if best >= self.bands.suggest_strength:
            return FaqMatch(mode="suggest", confidence=sure, suggestions=top)
        return FaqMatch(mode="refuse", confidence=sure, suggestions=top)
