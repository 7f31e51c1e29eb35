"""Finding whole words and phrases (synonyms, keywords, off-topic patterns) in a text.

A phrase is looked for in what the parent typed and in its kana reading, so 訪問看護,
ほうもんかんご and a misspelt 訪問看語 all contain it. Short kana are risky: read from
kanji, 気切 (きせつ) is also 季節, so a phrase found only through a reading must be long
enough to be unambiguous.

There are about a thousand phrases and every message and FAQ text is searched for all
of them, so each phrase is filed under its first two characters and only phrases whose
first two characters occur in the text are looked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from content.matching.normalize import has_japanese, has_kanji, normalize
from content.matching.readings import ReadingTable
from content.matching.terms import latin_words

# Shortest kana form that may match inside typed text, and inside a reading made from kanji.
MIN_KANA_IN_TYPED = 3
MIN_KANA_IN_READING = 4

Target = Literal["surface", "reading", "latin", "word"]


@dataclass(frozen=True)
class Views:
    """A normalised text seen three ways: as typed, as read aloud, as Latin words."""

    surface: str
    reading: str
    latin: str  # stemmed Latin words, space-separated and space-padded

    @classmethod
    def of(cls, surface: str, reading: str) -> Views:
        return cls(surface, reading, " " + " ".join(latin_words(surface)) + " ")


@dataclass(frozen=True)
class Phrase:
    text: str
    surface: str = ""  # normalised, when the phrase has Japanese in it
    reading: str = ""  # its kana reading, when that differs from the surface
    latin: str = ""  # space-padded stemmed words, when the phrase is Latin letters only

    @property
    def form(self) -> str:
        """The phrase as compared: its stemmed Latin words or its normalised text."""
        return self.latin or self.surface

    def checks(self, min_reading: int = MIN_KANA_IN_TYPED) -> list[tuple[Target, str]]:
        """Where to look for which form of the phrase (``min_reading``: the shortest
        reading of a kanji phrase that is looked for at all)."""
        if self.latin:
            return [("latin", self.latin)]
        found: list[tuple[Target, str]] = []
        surface, reading = self.surface, self.reading
        # Kanji carry their meaning in one or two characters; only kana need the length.
        if has_kanji(surface) or len(surface) >= MIN_KANA_IN_TYPED:
            found.append(("surface", surface))
            if not has_kanji(surface) and len(surface) >= MIN_KANA_IN_READING:
                found.append(("reading", surface))
        elif surface:
            found.append(("word", surface))  # a short kana word counts only when it stands alone
        if reading and len(reading) >= max(min_reading, MIN_KANA_IN_TYPED):
            found.append(("surface", reading))
        if reading and len(reading) >= max(min_reading, MIN_KANA_IN_READING):
            found.append(("reading", reading))
        return found


def make_phrase(text: str, table: ReadingTable) -> Phrase | None:
    normalized = normalize(text)
    if not normalized:
        return None
    if not has_japanese(normalized):
        words = latin_words(normalized)
        return Phrase(text, latin=" " + " ".join(words) + " ") if words else None
    reading = table.reading(normalized)
    return Phrase(text, surface=normalized, reading=reading if reading != normalized else "")


def _key(needle: str) -> str:
    # A one-character needle (a single kanji) is filed under "" and looked for every time.
    key = needle.strip()[:2]
    return key if len(key) == 2 else ""


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class PhraseSet:
    """A fixed list of phrases, each tagged with a value (a concept, an off-topic id...)."""

    def __init__(
        self,
        tagged: Iterable[tuple[str, str]],
        table: ReadingTable,
        *,
        min_reading: int = MIN_KANA_IN_TYPED,
    ) -> None:
        self._phrases: list[tuple[Phrase, str]] = []
        seen: set[tuple[Phrase, str]] = set()
        for text, tag in tagged:
            phrase = make_phrase(text, table)
            if phrase is not None and (phrase, tag) not in seen:
                seen.add((phrase, tag))
                self._phrases.append((phrase, tag))
        self._index: dict[Target, dict[str, list[tuple[str, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for number, (phrase, _) in enumerate(self._phrases):
            for target, needle in phrase.checks(min_reading):
                self._index[target][_key(needle)].append((needle, number))

    def found(self, views: Views) -> list[tuple[Phrase, str]]:
        hits: set[int] = set()
        for target, text in (
            ("surface", views.surface), ("reading", views.reading), ("latin", views.latin)
        ):
            filed = self._index.get(target)  # type: ignore[call-overload]
            if not filed:
                continue
            for key in (_pairs(text) & filed.keys()) | {""}:
                hits.update(number for needle, number in filed.get(key, ()) if needle in text)
        words = self._index.get("word")
        if words:
            for word in set(views.surface.split(" ")):
                hits.update(number for needle, number in words.get(word[:2], ()) if needle == word)
        return [self._phrases[n] for n in sorted(hits)]

    def tags_in(self, views: Views) -> set[str]:
        return {tag for _, tag in self.found(views)}

    @property
    def phrases(self) -> Sequence[tuple[Phrase, str]]:
        return self._phrases
