"""Is a message ours at all? Who it is about and where, decided before any ranking.

The FAQ ranker finds the entry that shares the most words with a message, whoever and
wherever the message is about: 「父が在宅酸素を始めます。停電のときは？」 shares every
word that matters with the entry on power cuts, and 「江東区の放課後等デイ」 with the
entry on after-school day services. Ranking cannot tell that these are someone else's
questions, so scope is decided first, from word lists staff keep in ``scope.yaml``:

- **who**: an adult (父, 祖母, 夫, my mother…) in a message with no child in it, the
  writer's own condition (私の手帳, 私が透析…), or a stated adult age (長男が20歳になって)
  makes it an adult's matter. Any child in the message keeps it ours
  (「私が子どもの手帳を申請したい」), and so does an adult who only helps
  (「夫が仕事で忙しくて」).
- **where**: another municipality named as the place of the matter (世田谷区の…, 横浜で…)
  makes it that municipality's, unless Chiyoda or Tokyo-wide services are named too
  (moving in or out is the coordinators' business) or the name is only where a hospital
  or station is (世田谷の病院). Chiyoda does not count when it is only part of the other
  name (杉並区内) or only the place one leaves while the other place is where the matter
  is (千代田区から横浜市へ…横浜での訪問看護, moving from Chiyoda to Kawasaki…who handles
  it there). A family that says it lives elsewhere (横浜市在住, we live in Yokohama) and
  names no move is not made ours by asking for Chiyoda's services.

*What* it is about (a job, a residence card…) is the other ward matters of
``offtopic.yaml``, found by :mod:`content.matching.offtopic`.

Word lists, not example sentences, so that a new way of asking the same kind of thing
is caught by its words. Matching is on the normalised text (kana, width and case
folded) and never on kanji readings: 父 read as ちち would be found in every ちち.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from content.matching.normalize import KANJI, has_japanese, normalize
from content.models import ScopeFile

Dimension = Literal["who", "where"]

# A one-character word (父, 母, 夫, 子, 私) counts only with a particle or a break after
# it: 大丈夫, 工夫 and 様子 are no people. で is left out: 「父です」 is the writer.
PARTICLES = "がのはをにもとへや"
# After an age or "adult", words that make it a rule or a future rather than the
# person's age now: 20歳まで (特別児童扶養手当), 18歳以上, 大人になったら.
_LATER = ("まで", "未満", "以上", "以降", "以下", "になったら", "になると", "になるまで", "を過ぎ",
          "を超え", "から", "前後", "になる")
_AGE_JA = re.compile(r"(\d{1,3}) ?(?:歳|才|さい)")
# 40代の兄: a decade names an adult only beside a kin word (20代の母です is the writer).
_DECADE_KIN = re.compile(r"([2-9])0 ?代の(?:兄|姉|弟|妹|息子|娘|長男|長女|次男|次女|子)")
_AGE_EN = re.compile(r"(?:(\d{1,3}) ?(?:years? old|yo|y o)(?![a-z])|(?:aged|turned) (\d{1,3}))")
# The writer's own age (I'm 45): an adult, though unlike a child's stated age it says
# nothing of a child named beside it (I'm 45 and my son has a trach).
_WRITER_AGE_EN = re.compile(
    r"(?<![a-z])(?:i m|i am) (\d{2})(?: ?(?:years? old|yo|y o))?"
    r"(?![a-z0-9]| ?(?:min|minutes|hours|weeks|months|days|km|percent)(?![a-z]))"
)
# After the writer's need, words that make it an errand (私が通院に行ける間, 私が手術の間):
# the time the writer is away, while the question is the child's care meanwhile.
_ERRANDS = ("に行", "へ行", "に出", "の間", "のあいだ", "する間", "している間", "の時間")
_LATER_EN = ("or older", "and older", "and over", "or over", "until", "up to")
# After a word ending in な (元気な), what makes it a negation: 元気ない, 元気なく, 元気なさそう.
_NEGATED = "いくかさ"
# How far after the writer (私, I) their own condition may start: 私の手帳, 私が透析,
# but not 私が申請する手帳 (the child's, most likely).
WRITER_REACH_JA = 4
WRITER_REACH_EN = 16
# An adult is a helper when what they do follows them as the subject (が, は, も) soon.
HELPER_PARTICLES = "がはも"
HELPER_REACH = 12
# How far after a municipality's name a visited place may come (世田谷の成育医療センター).
VISITED_REACH = 10
# A particle straight after a place's name that makes it where something happens.
# Words of a visited place that name a person only when right after the name.
_HONORIFICS = frozenset({"さん", "様", "先生", "san", "sensei"})
_ACTIVITY_PARTICLE = re.compile(r"(?:で|は|を|が|へ|まで|から|って|に(?!ある|あり))")
# How far after a municipality's name living there may be said (横浜市に住んで, 横浜在住),
# and how much before it is looked at in English (we live in Yokohama).
LIVES_REACH = 2
LIVES_BEFORE = 20
# Unlisted municipalities: one to four kanji before 区, 市 or 県 (文京区役所, 浦安市在住).
_ANY_PLACE = re.compile(rf"([{KANJI}]{{1,4}})(区|市|県)(?=役所|在住|民|内|立|[^{KANJI}]|$)")
_NOT_PLACE_ENDINGS = frozenset("地学")
# …except what is no municipality's name: 地区, 学区, 特別区, 他区, 都市, 当区.
_NOT_PLACES = frozenset(
    "地 学 各 当 同 本 他 別 特別 選挙 都 全 市 区 県 行政 近隣 隣 近 政令 都道府 居住 管轄 地元"
    " 東京 首都 中核".split()
)
_ANY_PLACE_EN = re.compile(r"(?<![a-z])([a-z]+) (?:ward|city|prefecture)(?![a-z])")
# Chiyoda named as the place one leaves (千代田区から横浜市へ) keeps nothing ours by itself…
_FROM = ("から", " から", "を出", "から出", "から転出", "from")
_EXISTS_EN = re.compile(r"(?<![a-z])(?:is|are|was|were|be) ?$")
_FROM_EN = re.compile(r"(?<![a-z])from ?$")
# …when the other place is where the matter is: 横浜での訪問看護, 大阪市で申請, 横浜市の窓口.
_HERE = re.compile(r" ?(?:で|の|では|にある|in)(?![a-z])")
# Words that end up before "city" or "ward" without being a name: "nurse from city health
# center", "can ward pay", "the local ward". ("another city" is another municipality.)
_NOT_PLACES_EN = frozenset(
    "chiyoda the this that our your my each every same which what a one tokyo any"
    " an his her their its from in of to for at by with on into and or but if as than"
    " can will does do did is are was were be could would should may might must please"
    " ask call say says said how who when where why whose local big home nearby current"
    " anything something nothing everything there here".split()
)


@dataclass(frozen=True)
class OutOfScope:
    """Why a message is not ours, and what decided it (for tests and staff previews)."""

    dimension: Dimension
    pointer: str | None  # the offtopic.yaml topic whose pointer answers it
    words: tuple[str, ...]


class WordList:
    """Words as one regular expression over normalised text.

    Japanese words match anywhere except one-character ones (see PARTICLES); Latin-letter
    words match as whole words, so "mother" is not found in "grandmother".
    """

    def __init__(self, words: Iterable[str]) -> None:
        japanese: set[str] = set()
        latin: set[str] = set()
        for word in words:
            normalized = normalize(word)
            if normalized:
                (japanese if has_japanese(normalized) else latin).add(normalized)
        parts = [
            re.escape(w) + (rf"(?=[{PARTICLES} ]|$)" if len(w) == 1 else "")
            for w in sorted(japanese, key=len, reverse=True)
        ]
        if latin:
            alternatives = "|".join(re.escape(w) for w in sorted(latin, key=len, reverse=True))
            parts.append(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
        self.regex = re.compile("|".join(parts)) if parts else None

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        return self.regex.finditer(text) if self.regex else ()

    def found(self, text: str) -> list[str]:
        return [m.group(0) for m in self.finditer(text)]

    def starts_within(self, text: str, start: int, reach: int) -> bool:
        """Whether a word begins between ``start`` and ``start + reach``."""
        return self.first_within(text, start, reach) is not None

    def first_within(self, text: str, start: int, reach: int) -> re.Match[str] | None:
        """The first word that begins between ``start`` and ``start + reach``."""
        if self.regex is None:
            return None
        match = self.regex.search(text, start)
        return match if match is not None and match.start() <= start + reach else None


# A thing named only to compare with (高齢者のケアマネさんみたいなもの？, 介護タクシーのような):
# the question is about something of the desk's that resembles it. The compared words are
# the few before the marker (back to a break, ten characters at most). Not 申し込みたいな or
# 試してみたい (a verb), nor どのような.
_COMPARED_JA = re.compile(
    r"[^ ]{1,10}(?:(?<![込休頼読飲住進悩望組積済踏挟包噛揉産編てで])みたい(?:な|の|に)"
    r"|(?<![どこそあ])のよう(?:な|に)|と同じ|と似|とは違|と違|とどう違|と何が違|となにが違)"
)


def without_comparisons(surface: str) -> str:
    """The normalised message with what it compares with blanked out (same length)."""
    return _COMPARED_JA.sub(lambda m: " " * len(m.group(0)), surface)


def _masked(text: str, words: WordList) -> str:
    # Spaces of the same length keep the positions, and keep words from joining up.
    return words.regex.sub(lambda m: " " * len(m.group(0)), text) if words.regex else text


class ScopeFinder:
    def __init__(self, scope: ScopeFile) -> None:
        who, where = scope.who, scope.where
        self._child = WordList(who.child)
        self._kin = frozenset(normalize(w) for w in who.kin)
        self._adults = WordList(who.adults)
        self._writer = WordList(who.writer)
        self._needs = WordList(who.own_needs)
        self._helping = WordList(who.helping)
        self._not_people = WordList(who.not_people)
        self._healthy = WordList(who.healthy)
        self._self_marks = WordList(who.self_marks)
        self._healthy_subject = WordList(who.healthy_subject)
        self.healthy_may_answer = frozenset(who.healthy_may_answer)
        self.healthy_pointer = who.healthy_pointer
        self._adult_age = who.adult_age
        self._who_pointer = who.pointer
        self._home = WordList(where.home)
        self._places = WordList(_place_names(where.others, where.needs_suffix))
        self._visited = WordList(where.visited)
        self._offices = WordList(where.offices)
        self._lives = WordList(where.lives)
        self._moving = WordList(where.moving)
        self._there = WordList(where.there)
        self._where_pointer = where.pointer

    def assess(self, surface: str) -> OutOfScope | None:
        """Why the normalised message is not ours, or None when it may be."""
        return self.where(surface) or self.who(surface)

    def where(self, surface: str) -> OutOfScope | None:
        named = self._named_places(surface)
        if not named:
            return None
        home = [
            m for m in self._home.finditer(surface)
            # 区内 in 杉並区内 is Suginami's ward, not ours.
            if not any(p.start() < m.end() and m.start() < p.end() for p in named)
        ]
        lives_there = any(self._lives_in(surface, m) for m in named) and not self._moving.found(
            surface
        )
        if not lives_there and any(not _left(surface, m) for m in home):
            return None
        if (
            home
            and not lives_there
            and not any(_HERE.match(surface, m.end()) for m in named)
            and not self._says_there(surface)
        ):
            # Moving out of Chiyoda with nothing asked about the new place: the hand-over
            # is the coordinators' business (千代田区から横浜市に引っ越します。引き継ぎは？).
            return None
        return OutOfScope("where", self._where_pointer, tuple(m.group(0) for m in named))

    def _named_places(self, surface: str) -> list[re.Match[str]]:
        # 京都 inside 東京都 is Tokyo: a name within one of home's words is no other place.
        home = [(m.start(), m.end()) for m in self._home.finditer(surface)]
        named = [m for m in self._places.finditer(surface)
                 if not self._is_visited(surface, m)
                 and not any(a <= m.start() and m.end() <= b and (a, b) != m.span()
                             for a, b in home)]
        named += [
            m for m in _ANY_PLACE.finditer(surface)
            if m.group(1) not in _NOT_PLACES and not m.group(1).endswith("千代田")
            # 担当地区, 通学区: a word ending in 地 or 学 before 区 is no ward's name.
            and m.group(1)[-1] not in _NOT_PLACE_ENDINGS
            and not self._is_visited(surface, m)
        ]
        named += [
            m for m in _ANY_PLACE_EN.finditer(surface)
            if m.group(1) not in _NOT_PLACES_EN and not self._is_visited(surface, m)
        ]
        return named

    def mentions_child(self, surface: str) -> bool:
        return bool(self._child.found(_masked(surface, self._not_people)))

    def says_healthy(self, surface: str) -> bool:
        """Whether the message says the child it is about is healthy (元気な長男, 障害のない
        長女, no health issues); 元気ない and 元気なくて say the opposite."""
        return any(
            not (m.group(0).endswith("な") and surface[m.end():m.end() + 1] in _NEGATED)
            for m in self._healthy.finditer(surface)
        )

    def asks_about_healthy(self, surface: str) -> bool:
        """Whether the question is put on the healthy child (元気なほうの幼稚園)."""
        return bool(self._healthy_subject.found(surface))

    def without_healthy(self, surface: str) -> str:
        """The message with its words of health taken out (医ケアのない下の子: the 医ケア
        in it says the child has none)."""
        return _masked(surface, self._healthy)

    def _says_there(self, surface: str) -> bool:
        """Whether the new place is named as where the matter is (そちらで, who handles
        it there); "is there" and "are there" only ask whether something exists."""
        return any(
            not _EXISTS_EN.search(surface, 0, m.start()) for m in self._there.finditer(surface)
        )

    def _lives_in(self, surface: str, place: re.Match[str]) -> bool:
        """Whether the family is said to live in the place (横浜市在住, 横浜に住んで: the
        word right after the name; we live in Yokohama: right before it)."""
        if self._lives.starts_within(surface, place.end(), LIVES_REACH):
            return True
        before = surface[:place.start()].rstrip()
        return any(before.endswith(w) for w in self._lives.found(before[-LIVES_BEFORE:]))

    def _is_visited(self, surface: str, match: re.Match[str]) -> bool:
        # 江戸川区で看護師のいる…: a particle of place right after the name says what is
        # sought there, so a visited word further on is no hospital or person of that name.
        if _ACTIVITY_PARTICLE.match(surface, match.end()):
            return False
        if self._offices.starts_within(surface, match.end(), VISITED_REACH):
            return False  # 新宿区の保健センター: that ward's own office
        found = self._visited.first_within(surface, match.end(), VISITED_REACH)
        if found is None or _ACTIVITY_PARTICLE.search(surface, match.end(), found.start()):
            # 江東区の放デイで看護師がいる所: what is sought there, not a person or a place.
            return False
        # 足立さん is a person of that name; 台東区の保健師さん is that ward's nurse.
        return found.group(0) not in _HONORIFICS or found.start() <= match.end() + 1

    def who(self, surface: str) -> OutOfScope | None:
        text = _masked(surface, self._not_people)
        children = self._child.found(text)
        adult_age = self._adult_age_in(text)
        if adult_age:
            # 長男が20歳になって: the son is an adult now; a child's age or word beyond
            # kinship (医ケア児, 小学生) still puts a child in the message.
            children = [c for c in children if c not in self._kin]
        if children:
            needs = self._writer_needs(text, surface)
            if needs and self._self_marks.found(text):
                return OutOfScope("who", self._who_pointer, tuple(needs))
            # 夫がALSで呼吸器を…子どもは元気です: the child is named only to say they are well.
            adults = self._adults_in(text)
            if adults and self.says_healthy(surface):
                return OutOfScope("who", self._who_pointer, tuple(adults))
            return None
        words = list(adult_age)
        words += [m.group(0) for m in _WRITER_AGE_EN.finditer(text)
                  if int(m.group(1)) >= self._adult_age]
        words += self._adults_in(text)
        words += self._writer_needs(text, surface)
        if not words:
            return None
        return OutOfScope("who", self._who_pointer, tuple(words))

    def _adults_in(self, text: str) -> list[str]:
        return [m.group(0) for m in self._adults.finditer(text)
                if not self._helps(text, m)
                # 母親の私: the writer, named by their part.
                and not (has_japanese(m.group(0)) and self._writer.starts_within(text, m.end(), 1))]

    def _helps(self, text: str, adult: re.Match[str]) -> bool:
        """An adult who helps with the child (夫が単身赴任で, 祖母が手伝いに, my husband
        works late), not one whose own care is asked about (祖母の付き添いサービス)."""
        after = adult.end()
        # 母親の付き添い: a parent's part in the child's care (the word ends with its の).
        if has_japanese(adult.group(0)) and not adult.group(0).endswith("の"):
            if text[after:after + 1] not in HELPER_PARTICLES:
                return False
            after += 1
        return self._helping.starts_within(text, after, HELPER_REACH)

    def _adult_age_in(self, text: str) -> list[str]:
        ages = []
        for m in _AGE_JA.finditer(text):
            if int(m.group(1)) >= self._adult_age and not text.startswith(_LATER, m.end()):
                ages.append(m.group(0))
        ages += [m.group(0) for m in _DECADE_KIN.finditer(text)]
        for m in _AGE_EN.finditer(text):
            if _WRITER_AGE_EN.search(text, max(0, m.start() - 5), m.end()):
                continue  # the writer's age, not the child's: see who()
            age = int(m.group(1) or m.group(2))
            rest = text[m.end():].lstrip()
            if age >= self._adult_age and not rest.startswith(_LATER_EN):
                ages.append(m.group(0))
        return ages

    def _writer_needs(self, text: str, surface: str) -> list[str]:
        """The writer's own condition: 私の手帳, 私が透析, I am on dialysis.

        The writer is looked for in ``text`` (no-person words masked: 夫と私), the need in
        the ``surface`` as typed, where 車椅子 still has its 椅子.
        """
        found = []
        for m in self._writer.finditer(text):
            word = m.group(0)
            if has_japanese(word):
                after = m.end() + (1 if text[m.end():m.end() + 1] in PARTICLES else 0)
                reach = WRITER_REACH_JA
            else:
                after, reach = m.end(), WRITER_REACH_EN
            need = self._needs.first_within(surface, after, reach)
            if need is not None and not surface.startswith(_ERRANDS, need.end()):
                found.append(word)
        return found


def _left(surface: str, home: re.Match[str]) -> bool:
    """Whether Chiyoda is named only as the place one moves away from (千代田区から,
    moving from Chiyoda)."""
    if _FROM_EN.search(surface, 0, home.start()):
        return True
    after = surface[home.end():]
    # 千代田区から: the name may end before the suffix the word list leaves out.
    after = after[1:] if after[:1] in "区" else after
    return after.startswith(_FROM)


def _place_names(others: Iterable[str], needs_suffix: Iterable[str]) -> list[str]:
    """Each municipality in full, and without 区/市/県 unless that would be ambiguous."""
    strict = {normalize(n) for n in needs_suffix}
    names: list[str] = []
    for name in others:
        normalized = normalize(name)
        if not normalized:
            continue
        if has_japanese(normalized):
            names.append(normalized)
            bare = normalized[:-1] if normalized[-1] in "区市県府都道町村" else normalized
            if len(bare) >= 2 and normalized not in strict and bare != normalized:
                names.append(bare)
        else:
            names += [f"{normalized} {s}" for s in ("ward", "city", "ku", "shi", "prefecture")]
            if normalized not in strict:
                names.append(normalized)
    return names
