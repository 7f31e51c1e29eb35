"""The terms a text is broken into for lexical matching.

Japanese has no spaces and parents misspell freely, so Japanese runs are cut into
overlapping 2- and 3-character pieces: a typo or an unusual ending then spoils only
a few pieces, not the whole word. Latin-letter runs are words, lightly stemmed, plus
each pair of neighbouring words, so "visiting nurse" counts for more than "nurse".
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

_LATIN_WORD = re.compile(r"[a-z0-9]+")
_JAPANESE_RUN = re.compile(r"[^\sa-z0-9]+")

# Words that occur in nearly every English question and say nothing about its subject.
EN_STOPWORDS = frozenset(
    """a an the is are am was were be been being to of for in on at by from with and or but
    if so as it its this that these those there here my our your his her their me us we you
    i he she they him them do does did can could will would should shall may might must
    how what when where which who whom why any some all about into than then too very just
    have has had get got please tell know want need like also s t""".split()
)

_IRREGULAR = {"children": "child", "daughters": "daughter", "sons": "son"}


def stem(word: str) -> str:
    """A light English stemmer: enough for plurals and -ing/-ed forms of the FAQ's words."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    # nurse/nursing, service/services: a final e is dropped so both meet.
    if len(word) >= 5 and word.endswith("e"):
        word = word[:-1]
    return word


def latin_words(normalized: str, *, drop_stopwords: bool = False) -> list[str]:
    """Stemmed Latin-letter words; stopwords are kept for phrases ("child with medical care")."""
    return [
        stem(w)
        for w in _LATIN_WORD.findall(normalized)
        if not (drop_stopwords and w in EN_STOPWORDS)
    ]


def japanese_grams(normalized: str) -> list[str]:
    grams: list[str] = []
    for run in _JAPANESE_RUN.findall(normalized):
        n = len(run)
        grams.extend(run[i : i + 2] for i in range(n - 1))
        grams.extend(run[i : i + 3] for i in range(n - 2))
    return grams


def text_terms(normalized: str) -> Counter[str]:
    """Term counts of one normalised text (surface or reading)."""
    terms: Counter[str] = Counter(japanese_grams(normalized))
    words = latin_words(normalized, drop_stopwords=True)
    terms.update("w:" + w for w in words)
    terms.update(f"w:{a} {b}" for a, b in pairwise(words))
    return terms


def both_views(surface: str, reading: str) -> Counter[str]:
    """Terms of a text in its written form and its reading, each piece counted once.

    A piece found in both views (kana the writer typed, numbers, Latin words) is the
    same occurrence seen twice, so the larger count is kept rather than the sum.
    """
    terms = text_terms(surface)
    if reading != surface:
        terms |= text_terms(reading)
    return terms


# Long vowels are spelt many ways in romaji (techou, techō, techo); all become one.
_ROMAJI_LONG = [("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ee", "e"), ("ii", "i")]
ROMAJI_GRAM = 4
ROMAJI_PREFIX = "r:"


def romaji_terms(normalized: str) -> Counter[str]:
    """4-letter pieces of Japanese words spelt in Latin letters (shintai techo, kobetsu hinan).

    Spaces are dropped first: romaji is split into words in many ways (iryosho,
    iryou shou), and pieces across the gaps still meet.
    """
    text = "".join(_LATIN_WORD.findall(normalized))
    for long, short in _ROMAJI_LONG:
        text = text.replace(long, short)
    return Counter(
        ROMAJI_PREFIX + text[i : i + ROMAJI_GRAM] for i in range(len(text) - ROMAJI_GRAM + 1)
    )
