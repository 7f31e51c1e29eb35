"""One spelling for the many ways parents type the same words.

Everything the matcher compares — FAQ text, synonyms, off-topic patterns and the
parent's message — goes through :func:`normalize` first, so that full- and
half-width forms, katakana and hiragana, upper and lower case, long vowel marks
and punctuation never decide whether two texts match.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

from content.base import Locale

# Small kana are written big by many people (ディ/デイ, ファ/フア) and IMEs differ;
# ヶ/ヵ (as in ヶ月) become か. ゃゅょっ stay: they change the word.
_KANA_FOLD = str.maketrans(
    {"ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お", "ゎ": "わ",
     "ゕ": "か", "ゖ": "か", "ゔ": "ぶ"}
)
# Long vowel marks and wave dashes are dropped rather than spelled out: コーディネーター,
# コーディネータ and こーでぃねーたー then all read こでいねた.
_DROPPED = re.compile(r"[ー〜~]")
_SPACES = re.compile(r"\s+")

KANJI = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆"
_KANJI_CHAR = re.compile(rf"[{KANJI}]")
_JAPANESE_CHAR = re.compile(rf"[ぁ-ゖァ-ヺ{KANJI}]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _is_separator(char: str) -> bool:
    # Punctuation and symbols (including emoji) separate words; they never carry meaning here.
    return unicodedata.category(char)[0] in "PSZC"


def fold(text: str) -> str:
    """Width, case, kana and long vowel marks folded; punctuation kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = jaconv.kata2hira(text).translate(_KANA_FOLD)
    return _DROPPED.sub("", text)


# Spaces between Japanese words (こども の いき とても はやい, dictated or typed by someone
# learning Japanese) carry nothing to the readers of danger and scope: they go, so words
# match as if written together.
_JAPANESE_SPACE = re.compile(r"(?<=[^\x00-\x7f])[ \u3000]+(?=[^\x00-\x7f])")


def fold_joined(text: str) -> str:
    """:func:`fold`, with the spaces between Japanese characters taken out."""
    return _JAPANESE_SPACE.sub("", fold(text))


def normalize(text: str) -> str:
    """Lower-case hiragana/ASCII text with single spaces between words."""
    text = "".join(" " if _is_separator(c) else c for c in fold(text))
    return _SPACES.sub(" ", text).strip()


def is_kanji(char: str) -> bool:
    return _KANJI_CHAR.match(char) is not None


def has_kanji(text: str) -> bool:
    return _KANJI_CHAR.search(text) is not None


def text_locale(text: str, default: Locale = "ja") -> Locale:
    """English when the message is mostly ASCII letters, Japanese when it has more Japanese.

    The FAQ index to search follows what the parent wrote, not the language the
    chat is set to: a Japanese-speaking parent may type English and the other way round.
    """
    text = unicodedata.normalize("NFKC", text)
    latin = len(_ASCII_LETTER.findall(text))
    japanese = len(_JAPANESE_CHAR.findall(text))
    if latin == 0 and japanese == 0:
        return default
    return "en" if latin > japanese else "ja"


def has_japanese(text: str) -> bool:
    return _JAPANESE_CHAR.search(text) is not None
