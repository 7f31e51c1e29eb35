"""Long terms found even when one character is mistyped.

Parents type in a hurry and pick the wrong IME candidate or drop a voicing mark:
ｺｰﾃﾞｨﾈｰﾀﾞｰ for コーディネーター, 訪問看語 for 訪問看護, レスパイド for レスパイト. A term
long enough to be unmistakable is recognised with one character different: a kana for a
kana, or a kanji for another kanji read the same way (the IME offered both). So 訪問看語
is 訪問看護, but 訪問介護 (another service) and 母の手帳 are not. Short terms are never
guessed at, and a term found exactly is not also taken for a misspelt other one.

Only messages are searched this way; the FAQ's own texts are matched exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from content.matching.normalize import is_kanji

# Shortest term that may be misspelt: kana-only terms, and terms with two kanji or more.
MIN_KANA_LENGTH = 5
MIN_KANJI_LENGTH = 4


def _is_kana(char: str) -> bool:
    return "ぁ" <= char <= "ゖ"


def long_enough(term: str) -> bool:
    kanji = sum(is_kanji(c) for c in term)
    if kanji >= 2:
        return len(term) >= MIN_KANJI_LENGTH
    return kanji == 0 and len(term) >= MIN_KANA_LENGTH and all(_is_kana(c) for c in term)


def _starts(term: str, text: str) -> set[int]:
    """Where a one-slip copy of ``term`` could start in ``text``.

    A slip after the second character leaves the first pair intact; a slip in the first
    two leaves the pair at the third and fourth (terms have four characters or more).
    """
    starts: set[int] = set()
    for pair, offset in ((term[0:2], 0), (term[2:4], 2)):
        at = text.find(pair)
        while at >= 0:
            start = at - offset
            if 0 <= start <= len(text) - len(term):
                starts.add(start)
            at = text.find(pair, at + 1)
    return starts


class TypoLookup:
    """Terms (normalised, tagged) looked up in a text with one slip allowed."""

    def __init__(self, tagged: Iterable[tuple[str, str]], read: Callable[[str], str]) -> None:
        self._read = read
        self._terms: list[tuple[str, str]] = []
        self._by_pair: dict[str, list[int]] = defaultdict(list)
        for term, tag in tagged:
            if not long_enough(term):
                continue
            number = len(self._terms)
            self._terms.append((term, tag))
            for pair in {term[i : i + 2] for i in range(len(term) - 1)}:
                self._by_pair[pair].append(number)

    def tags_in(self, text: str, exact: Iterable[str] = ()) -> set[str]:
        """Tags of terms found with one slip; ``exact`` are terms already found as typed."""
        taken = [
            (start, start + len(term))
            for term in exact
            if (start := text.find(term)) >= 0
        ]
        # One slip spoils at most two of a term's character pairs, so a term is looked
        # for only where the text has all but two of them.
        shared: dict[int, int] = defaultdict(int)
        for pair in {text[i : i + 2] for i in range(len(text) - 1)}:
            for number in self._by_pair.get(pair, ()):
                shared[number] += 1
        found: set[str] = set()
        for number, count in shared.items():
            term, tag = self._terms[number]
            if tag in found or count < len(term) - 3:
                continue
            size = len(term)
            for i in _starts(term, text):
                inside = any(lo <= i and i + size <= hi for lo, hi in taken)
                if not inside and self._one_slip_away(term, text[i : i + size]):
                    found.add(tag)
                    break
        return found

    def _one_slip_away(self, term: str, window: str) -> bool:
        slips = [(a, b) for a, b in zip(term, window, strict=True) if a != b]
        if len(slips) != 1:
            return False
        a, b = slips[0]
        if _is_kana(a) and _is_kana(b):
            return True
        return is_kanji(a) and is_kanji(b) and self._read(a) == self._read(b)
