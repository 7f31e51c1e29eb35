"""Ward matters outside this desk (``offtopic.yaml``), and greetings.

A message that names one of them (児童手当, 予防接種, ごみ...) is about that matter, not
about an FAQ entry that happens to share a word, and is pointed to the right office.
The exception is a message about the same matter for a child who needs medical care,
when the FAQ has a confident answer: 医ケア児の保育園 is the FAQ's nursery entry, while
a general nursery application goes to the nursery section.

The topic with the id ``aisatsu`` holds greetings and thanks. They are no ward matter:
they are taken out of every message before matching, and a message made only of them
is answered with that topic's pointer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.matching.normalize import has_japanese, normalize
from content.matching.phrases import Phrase, PhraseSet, Views
from content.matching.readings import ReadingTable
from content.models import OffTopicFile

COURTESY_ID = "aisatsu"

# Words that show a message is about a child who needs medical care or has a disability.
# With one of them, the FAQ may answer a message that also names a general ward matter.
CARE_WORDS = (
    "医療的ケア", "医ケア", "医療ケア", "人工呼吸器", "呼吸器", "気管切開", "気切", "カニューレ",
    "トラキ", "吸引", "経管", "胃ろう", "胃瘻", "腸ろう", "注入", "酸素", "導尿",
    "小慢", "小児慢性", "重症心身", "重心", "放課後等デイ", "放デイ", "児発", "児童発達支援",
    "療育", "NICU", "医療的ケア児", "障害児", "障がい児",
    "ventilator", "trach", "tracheostomy", "tube feeding", "feeding tube", "suction",
    "medical care", "special needs",
)
# Services and words adults share (産後ケアのショートステイ, 私の障害者手帳): care context only
# when a child is in the message too.
SHARED_CARE_WORDS = (
    "障害", "障がい", "難病", "手帳", "受給者証", "訪問看護", "訪看", "短期入所", "ショートステイ",
    "レスパイト", "コーディネーター", "退院",
    "oxygen", "disability", "disabled", "chronic", "coordinator",
)


# A ward matter's word is looked for by its reading only when that reading is long:
# 内科 read ないか is in いないから, 駐車 read ちゅうしゃ is 注射, and a message wrongly
# taken for another matter is refused. じどうてあて (児童手当) is long enough to be safe.
MIN_READING = 6


@dataclass(frozen=True)
class Matter:
    """A ward matter named in a message, and the patterns that named it."""

    topic: str
    patterns: frozenset[str]  # as written and as read
    # Whether the FAQ may still answer it for a child with medical care (offtopic.yaml).
    care_may_answer: bool = True


class OffTopicFinder:
    def __init__(self, offtopic: OffTopicFile, table: ReadingTable) -> None:
        self._topics = PhraseSet(
            ((p, t.id) for t in offtopic.topics if t.id != COURTESY_ID for p in t.patterns),
            table,
            min_reading=MIN_READING,
        )
        courtesy = next((t for t in offtopic.topics if t.id == COURTESY_ID), None)
        self.courtesy_id = courtesy.id if courtesy else None
        # Longest first, so ありがとうございました goes as a whole before ありがとう.
        patterns = sorted((normalize(p) for p in courtesy.patterns), key=len, reverse=True) if (
            courtesy
        ) else []
        self._courtesy = [_pattern_regex(p) for p in patterns if p]
        self._care = PhraseSet(
            [(w, "care") for w in CARE_WORDS] + [(w, "shared") for w in SHARED_CARE_WORDS], table
        )
        self._care_may_answer = {t.id: t.care_may_answer for t in offtopic.topics}
        words = [normalize(w) for w in offtopic.asking]
        self._asking = [_pattern_regex(w) for w in words if w]

    def find(self, views: Views, on_topic: Iterable[str]) -> Matter | None:
        """The ward matter a message names, if any (``on_topic``: FAQ terms found in it).

        A pattern found only inside a longer on-topic term does not count: 特別児童手当
        contains 児童手当, and 放課後等デイサービス contains デイサービス.
        """
        named: dict[str, list[Phrase]] = {}
        for phrase, topic in self._topics.found(views):
            if not any(_inside(phrase.form, longer) for longer in on_topic):
                named.setdefault(topic, []).append(phrase)
        if not named:
            return None
        # The topic named by the longest pattern is the most specific one.
        topic = max(named, key=lambda t: max(len(p.form) for p in named[t]))
        spellings = {s for phrases in named.values() for p in phrases for s in _spellings(p)}
        return Matter(topic, frozenset(spellings), self._care_may_answer.get(topic, True))

    def has_care_context(
        self, views: Views, matter: Matter, *, child: bool = True, healthy: bool = False
    ) -> bool:
        """Whether the message is about a child who needs care, beyond the matter's own
        words (障害者控除 is a tax matter, though it says 障害); ``child``: whether a
        child is named, which words adults share need; ``healthy``: whether the message
        says the child is healthy (産後ケアのショートステイ…赤ちゃんは元気), when words adults
        and healthy children share say nothing of care. A device or 医ケア still does: a
        parent may well call a child on a ventilator 元気."""
        own = matter.patterns
        return any(
            (kind == "care" or (child and not healthy))
            and not any(_inside(s, pattern) for s in _spellings(phrase) for pattern in own)
            for phrase, kind in self._care.found(views)
        )

    def names_care(self, views: Views) -> bool:
        """Whether the message names medical care or a device (医ケア, 呼吸器, trach)."""
        return any(kind == "care" for _, kind in self._care.found(views))

    def asks(self, text: str, rest: str) -> bool:
        """Whether a message asks or requests anything: a question mark in ``text`` as
        typed (normalising takes it out), or a word of ``asking`` in ``rest``, the
        normalised message without its courtesies (ありがとう has あり in it)."""
        if "?" in text or "？" in text:
            return True
        return any(regex.search(rest) for regex in self._asking)

    def without_courtesy(self, surface: str) -> str:
        """The normalised message with greetings and thanks taken out."""
        for regex in self._courtesy:
            surface = regex.sub(" ", surface)
        return " ".join(surface.split())


def _pattern_regex(normalized: str) -> re.Pattern[str]:
    if has_japanese(normalized):
        return re.compile(re.escape(normalized))
    # Latin words only as whole words: "hi" is not in "this".
    return re.compile(rf"(?<![a-z0-9]){re.escape(normalized)}(?![a-z0-9])")


def _spellings(phrase: Phrase) -> list[str]:
    # A phrase may have been found through its reading (障がい as しょうがい).
    return [s for s in (phrase.form, phrase.reading) if s]


def _inside(inner: str, outer: str) -> bool:
    return inner != outer and inner in outer
