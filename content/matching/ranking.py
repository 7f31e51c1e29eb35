"""The seam between the matcher and the ways of ranking FAQ entries.

The matcher asks a :class:`Ranker` for the entries that fit a message best and turns
the answer into confident / unsure / nothing. Today there is one ranker, the lexical
one; a second (say, sentence embeddings) would implement the same Protocol and the
matcher would blend the two lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from content.base import Locale
from content.matching.phrases import Views


@dataclass(frozen=True)
class Query:
    """One message, prepared once and shared by every ranker."""

    text: str
    locale: Locale  # the language the message is written in, which picks the index
    views: Views
    concepts: frozenset[str] = field(default_factory=frozenset)
    # The synonym and keyword terms found in it, as typed (normalised).
    named: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Scored:
    topic: str
    # How strongly the entry fits, 0..1, comparable across messages: the matcher's bands
    # are thresholds on it.
    strength: float
    # The ranker's own score, for ordering and for staff looking into a result.
    raw: float = 0.0
    # How much evidence there is, whatever the message's length: 1.0 is as much as one
    # rare term named in the message and in the entry. A message of one common word
    # (補助, 申請) fits some entry perfectly, with little to go on.
    support: float = 0.0
    # The entry and the message name the same thing from the synonym list (a service, a
    # device, an allowance): evidence that they are about the same subject, not only
    # that they share some words.
    anchored: bool = False


class Ranker(Protocol):
    def rank(self, query: Query) -> list[Scored]:
        """Entries of the query's language, best first (entries with no evidence left out)."""
        ...
