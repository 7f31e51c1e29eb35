"""Concepts: the words parents use for one thing, recognised as that one thing.

Each synonym group in ``synonyms.yaml`` is a concept (放デイ, 放課後等デイサービス and
"after-school day service" are one). Each FAQ keyword not already in a group is a
concept of its own, so that a message naming an entry's keyword scores for that entry
as one strong hit instead of a few character pieces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from content.matching.normalize import normalize
from content.matching.phrases import PhraseSet, Views
from content.matching.readings import ReadingTable
from content.matching.typos import TypoLookup
from content.models import SynonymsFile

CONCEPT_PREFIX = "c:"
# Keywords of single entries are concepts too, told apart from the curated synonym groups.
KEYWORD_PREFIX = "k:"


class Lexicon:
    def __init__(
        self, synonyms: SynonymsFile, keywords: Iterable[str], table: ReadingTable
    ) -> None:
        tagged: list[tuple[str, str]] = []
        in_groups: set[str] = set()
        # Concepts are named after the group's first term, the word the FAQ uses.
        for group in synonyms.groups:
            tag = CONCEPT_PREFIX + normalize(group.terms[0])
            tagged.extend((term, tag) for term in group.terms)
            in_groups.update(normalize(term) for term in group.terms)
        for keyword in keywords:
            if normalize(keyword) not in in_groups:
                tagged.append((keyword, KEYWORD_PREFIX + normalize(keyword)))
        self._phrases = PhraseSet(tagged, table)
        surfaces = ((p.surface, tag) for p, tag in self._phrases.phrases if p.surface)
        self._typos = TypoLookup(surfaces, table.reader.reading)

    def concepts_in(self, views: Views) -> set[str]:
        """Concepts named in a text, spelt exactly."""
        return self._phrases.tags_in(views)

    def named_in(self, views: Views) -> Named:
        """What a message names: its concepts, long terms allowing one typo."""
        exact = self._phrases.found(views)
        concepts = {tag for _, tag in exact}
        typed = [p.surface for p, _ in exact if p.surface]
        concepts |= self._typos.tags_in(views.surface, typed)
        return Named(frozenset(concepts), frozenset(p.form for p, _ in exact))


@dataclass(frozen=True)
class Named:
    concepts: frozenset[str]
    # The terms found as typed (normalised), so a general ward word inside one of them
    # (児童手当 inside 特別児童手当) can be told apart.
    terms: frozenset[str]
