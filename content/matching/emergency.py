"""Recognising a child in danger now, from a taxonomy of danger signs (content/data/triage.yaml).

The published lists of signs for which to call an ambulance (FDMA, Tokyo's #7119 guide, the
Japan Pediatric Society) and the hospitals' guidance for home-care devices name a small
number of situations: breathing failing, bad colour, no response, a seizure that does not
stop, a tracheostomy tube out, a gastrostomy out, a ventilator or oxygen failing, a
swallowed button battery… Each is a *composition* of concepts: a device or a body part,
what goes wrong with it, and that it is happening now. The detector works that way:

1. ``terms`` are concepts with their words (many spellings, Japanese and English);
   measured concepts (``@spo2_low``, ``@fever``, ``@young_infant``, ``@long_minutes``)
   are read as numbers (content/matching/quantities.py).
2. A ``sign`` fires when all its concepts occur in one sentence (or in the message), in
   any order and with any words between them, so 「カニューレ抜けた」, 「トラキが自分で
   抜けちゃって」 and "the trach came out" are one sign without being written down.
3. ``scope`` sets a sign aside when the words are about the past (unless happening again
   now), a hypothetical, practice, something already resolved, an adult, or somebody
   else's story: 先月カニューレが抜けたとき, もし停電したら, 祖母が在宅酸素で….

A sign marked weak (a parent only asking whether to call 119) gives the "possible" level:
one calm line about 119 rather than the full guidance. The engine shows the guidance first
and still answers, so when in doubt a sign counts: a missed emergency costs far more than
an extra line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from content.matching.normalize import fold, fold_joined
from content.matching.quantities import Span, arabic_numbers, measures
from content.matching.triage_model import TriageModel
from content.records import EmergencyAssessment
from content.triage_models import SATURATION_TERM, Scope, Sign, TriageFile

# "!" ends no sentence (停電した！呼吸器が… is one event), nor does the point of 38.5.
_SENTENCE_END = re.compile(r"[。．?？\n]+|(?<![0-9])\.+|\.+(?![0-9])")
_CLAUSE_BREAK = re.compile(r"[、,，;；]|けど|けれど|\bbut\b|\bthough\b")
# How far after a sign a condition (…たら, …とき) still bears on it, in characters.
_AFTER_WINDOW = 10
# Who the child is (under 3 months old) is true whatever tense the sentence is in.
# So is the condition a child lives with (QT延長症候群と言われている子, a type 1 diabetic),
# and a device the child lives with, named in any tense (the line that cracked yesterday,
# with a fever now).
_TIMELESS = frozenset({"@young_infant", "heart_child", "diabetes_child", "cvline", "shunt",
                       "dialysis"})
# The n-gram model (content/matching/triage_model.py) adds an emergency the signs missed
# from this probability on, and the calm line from MODEL_MAYBE on; both were chosen by
# cross-validation across the tuning sets' authors (never on the reported sets).
MODEL_EMERGENCY = 0.9
MODEL_MAYBE = 0.6
# The signal of an emergency only the model saw: guidance without a kind.
MODEL_SIGNAL = "unclassified"
# Concepts that say only how or when (still, again, a lot), not what: alone they name no
# danger, so they do not let the model speak.
_ONLY_HOW = frozenset({"now_words", "still", "ongoing", "again_and_again", "repeated",
                       "wont_stop"})


# A word boundary between ASCII letters and anything else: "peg" in ＰＥＧが, "ng" in NGチューブ
# (\b alone sees no boundary there, since kana are word characters too).
_ASCII_BOUNDARY = r"(?:(?<![a-z0-9])(?=[a-z0-9])|(?<=[a-z0-9])(?![a-z0-9]))"


# 息をしていません and 息をしてません say the same: the negative of ている is read in its
# spoken, contracted form in messages and words alike, so a word written one way finds both.
_FULL_NEGATIVE = re.compile(r"(?<=[てで])い(?=な|ませ)")


def _contracted(text: str) -> str:
    return _FULL_NEGATIVE.sub("", text)


def _alternatives(words: Iterable[str]) -> re.Pattern[str]:
    # Folded like the messages, so katakana, width and case never decide a match.
    return re.compile("|".join(
        "(?:" + _contracted(fold(w)).replace("\\b", _ASCII_BOUNDARY) + ")" for w in words))


@dataclass(frozen=True)
class _Scope:
    before: re.Pattern[str]
    habit: re.Pattern[str]
    after: re.Pattern[str]
    next: re.Pattern[str]
    worry: re.Pattern[str]
    condition: re.Pattern[str]
    past: re.Pattern[str]
    present: re.Pattern[str]
    practice: re.Pattern[str]
    resolved: re.Pattern[str]
    adult: re.Pattern[str]
    child: re.Pattern[str]
    other: re.Pattern[str]

    @classmethod
    def build(cls, scope: Scope) -> _Scope:
        return cls(
            before=_alternatives(scope.hypothetical_before),
            habit=_alternatives(scope.habit),
            after=_alternatives(scope.hypothetical_after),
            next=re.compile(r"\s*(?:" + _alternatives(scope.hypothetical_next).pattern + ")"),
            worry=_alternatives(scope.worry),
            condition=_alternatives(scope.condition),
            # 先週から…, 昨日の夜っから… and "since yesterday" are still going on.
            past=re.compile("(?:" + _alternatives(scope.past).pattern
                            + r")(?!\s*(?:の(?:夜|朝|昼|晩|夕方))?\s*っ?(?:から|より))"),
            present=_alternatives(scope.present),
            practice=_alternatives(scope.practice),
            resolved=_alternatives(scope.resolved),
            adult=_alternatives(scope.adult),
            child=_alternatives(scope.child),
            other=_alternatives(scope.other_person),
        )


@dataclass(frozen=True)
class _Sentence:
    text: str
    start: int  # offset in the folded message


class _Message:
    """A folded message, its sentences, and the concepts found in each (looked up once)."""

    def __init__(self, text: str, finders: dict[str, Callable[[str], list[Span]]]) -> None:
        self.text = arabic_numbers(_contracted(fold_joined(text)))
        self.sentences = _split(self.text)
        self._finders = finders
        self._found: dict[tuple[int, str], list[Span]] = {}

    def spans(self, index: int, concept: str) -> list[Span]:
        key = (index, concept)
        if key not in self._found:
            self._found[key] = self._finders[concept](self.sentences[index].text)
        return self._found[key]


def _finder(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    def find(sentence: str) -> list[Span]:
        return [m.span() for m in pattern.finditer(sentence)]

    return find


def _split(text: str) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    position = 0
    for end in _SENTENCE_END.finditer(text):
        if text[position:end.start()].strip():
            sentences.append(_Sentence(text[position:end.start()], position))
        position = end.end()
    if text[position:].strip():
        sentences.append(_Sentence(text[position:], position))
    return sentences


class TriageDetector:
    """An :class:`~content.records.EmergencyDetector` built from triage.yaml."""

    def __init__(self, triage: TriageFile, model: TriageModel | None = None) -> None:
        self._model = model
        self._signs = tuple(triage.signs)
        self._anchors = tuple(dict.fromkeys(
            concept for sign in self._signs if not sign.weak for concept in sign.all
            if concept not in _ONLY_HOW))
        self._scope = _Scope.build(triage.scope)
        patterns = {name: _alternatives(words) for name, words in triage.terms.items()}
        self._finders: dict[str, Callable[[str], list[Span]]] = measures(
            patterns.get(SATURATION_TERM)
        )
        for name, pattern in patterns.items():
            self._finders[name] = _finder(pattern)

    def assess(self, text: str) -> EmergencyAssessment:
        message = _Message(text, self._finders)
        strong: list[str] = []
        weak: list[str] = []
        for sign in self._signs:
            found = strong if not sign.weak else weak
            if sign.category not in found and self._fires(sign, message):
                found.append(sign.category)
        if strong:
            return EmergencyAssessment(emergency=True, signals=tuple(strong))
        if self._model is not None and self._names_a_danger(message):
            probability = self._model.probability(text)
            if probability >= MODEL_EMERGENCY and not self._anything_set_aside(message):
                return EmergencyAssessment(emergency=True, signals=(MODEL_SIGNAL,))
            if probability >= MODEL_MAYBE:
                weak.append(MODEL_SIGNAL)
        if weak:
            return EmergencyAssessment(emergency=False, possible=True, signals=tuple(weak))
        return EmergencyAssessment(emergency=False)

    def _names_a_danger(self, message: _Message) -> bool:
        """Some word of a sign's subject (a device, a body part, a symptom): n-grams alone
        can be sure of danger in a greeting ("just checking in, all ok here")."""
        return any(message.spans(index, concept)
                   for concept in self._anchors
                   for index in range(len(message.sentences)))

    def _anything_set_aside(self, message: _Message) -> bool:
        """Any word of the past, a condition, practice, a resolution, an adult or another
        person anywhere: the model cannot tell where such a word bears, so it stays quiet."""
        s = self._scope
        text = message.text
        if any(p.search(text) for p in (s.before, s.practice, s.resolved, s.other, s.past,
                                        s.worry, s.condition)):
            return True
        return s.adult.search(text) is not None and not _names_a_child(s, text)

    def _fires(self, sign: Sign, message: _Message) -> bool:
        if sign.within == "message":
            # Each concept needs words somewhere in the message that are about now.
            return all(self._live(sign, message, concept) for concept in sign.all)
        first, *others = sign.all
        for index in range(len(message.sentences)):
            if any(message.spans(index, concept) for concept in sign.unless):
                continue
            for start, end in message.spans(index, first):
                span = _nearest(message, index, others, start, end)
                if span is None:
                    continue
                low, high, inner_low, inner_high = span
                # 呼吸器のアラームが…締め直したら止まった: resolved between its own words.
                if not sign.lasting and _resolved_between(self._scope, message, index,
                                                           inner_low, inner_high):
                    continue
                # サチュはいつも88くらい, lips are always a bit blue: a habit between its words.
                if inner_high > inner_low and self._scope.habit.search(
                        message.sentences[index].text, inner_low, inner_high):
                    continue
                if not self._set_aside(sign, message, index, low, high):
                    return True
        return False

    def _live(self, sign: Sign, message: _Message, concept: str) -> bool:
        if concept in _TIMELESS:
            return any(message.spans(i, concept) for i in range(len(message.sentences)))
        return any(
            not self._set_aside(sign, message, index, start, end)
            for index in range(len(message.sentences))
            for start, end in message.spans(index, concept)
        )

    def _set_aside(self, sign: Sign, message: _Message, index: int, start: int,
                   end: int) -> bool:
        """True when the words at ``start:end`` of the sentence are not danger now."""
        s = self._scope
        sentence = message.sentences[index].text
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)),
                           default=0)
        following = _CLAUSE_BREAK.search(sentence, end)
        clause_end = following.start() if following else len(sentence)
        if s.before.search(sentence, clause_start, start):
            return True
        # 万が一、子どもが息をしていなかったら: a condition that opens the sentence on its own.
        if_first = s.before.match(sentence.lstrip())
        if if_first is not None and _CLAUSE_BREAK.match(sentence.lstrip(), if_first.end()):
            return True
        nxt = s.next.match(sentence, end)
        if nxt is not None and not _narrative(sentence, nxt):
            return True
        # A condition right after a sign, or between its words (停電で止まったら酸素は…).
        for found in s.after.finditer(sentence, start, min(end + _AFTER_WINDOW, clause_end)):
            if not _narrative(sentence, found):
                return True
        # 抜けないか心配 is a worry about the sign; ハサミで切っちゃって…入ってないか心配 is a
        # worry about what may follow a sign that has happened.
        worry = s.worry.search(sentence, end, clause_end)
        if worry is not None and not _HAPPENED.search(sentence, end, worry.start()):
            return True
        # A clause that ends in …たら is a condition (停電して吸引器が使えなくなったら、…べき？),
        # unless what follows it tells what happened.
        final = _CONDITION_AT_END.search(sentence, end, clause_end)
        if final is not None and _PAST_AFTER.search(sentence, final.end()) is None:
            return True
        if sign.question and s.condition.search(sentence):
            return True
        # 地震で停電したら、酸素濃縮器って止まっちゃうんですよね？: a question about what would
        # happen under a condition told in an earlier clause.
        if _asks(message, index) and any(
                not _narrative(sentence, m) for m in s.after.finditer(sentence, 0, clause_start)):
            return True
        if s.practice.search(sentence) or s.other.search(sentence):
            return True
        # 救命講習を受けました。心臓マッサージの回数は…: the drill told just before.
        if index > 0 and s.practice.search(message.sentences[index - 1].text):
            return True
        if s.adult.search(sentence) and not _names_a_child(s, sentence):
            return True
        # 祖母が息苦しいって…呼吸器の子を連れていけない: the adult is the sign's subject in its
        # own clause, whatever child the rest of the sentence names.
        if (s.adult.search(sentence, clause_start, start)
                and not _names_a_child(s, sentence[clause_start:end])):
            return True
        # Resolved: said after the sign in its sentence, or in the next one about now (今は落ち
        # 着いています), and not a resolution still to come or somebody else's words.
        # Searched from the sign's first words, so a resolution its own later words swallowed
        # still counts (a seizure … she's fine now), but never one of its own words (酸素濃縮器
        # がエラーで止まりました: 止まりました is the failure here).
        own = [span for concept in sign.all for span in message.spans(index, concept)]
        if not sign.lasting and any(
                not _conditional(sentence, m.end())
                and not any(a < m.end() and m.start() < b for a, b in own)
                for m in s.resolved.finditer(sentence, start)):
            return True
        if not sign.lasting and index + 1 < len(message.sentences):
            following_text = message.sentences[index + 1].text
            # 今もまた止まりました after 呼吸が時々止まります: the sign again, not its end.
            own_next = [span for concept in sign.all
                        for span in message.spans(index + 1, concept)]
            # A short word at its start (落ち着きました。, not 電気の復旧の見込みも分かりません),
            # or a whole English clause near it ("He's back to himself and watching TV").
            opening: re.Match[str] | None = s.resolved.match(following_text, 0, _OPENING)
            if opening is None:
                clause = s.resolved.search(following_text)
                if clause is not None and clause.start() <= _OPENING and clause.group(0).isascii():
                    opening = clause
            if (opening is not None and not _conditional(following_text, opening.end())
                    and not _overlaps(opening, own_next)):
                return True  # 落ち着きました。 / もう大丈夫です、報告だけ
            now = s.present.search(following_text)
            if now is not None and any(not _conditional(following_text, m.end())
                                       and not _overlaps(m, own_next)
                                       for m in s.resolved.finditer(following_text, now.start())):
                return True
        past = s.past.search(sentence)
        # しんぞうの手術したことある after 胸いたいって言って倒れた、: a past in a later clause
        # is about something else.
        if past is not None and past.start() >= clause_end:
            past = None
        if past is None:
            return False
        # "Now" counts only between the past and the sign: 生まれた時にチアノーゼがあって、
        # 今は元気 is still about the past.
        if past.start() < start:
            # From the past word's own start: 先週手術した傷 names the wound, not when it bled.
            return s.present.search(sentence, past.start(), start) is None
        # The past among the sign's words, then "now" before its last ones: cracked yesterday
        # and now a fever of 39 is about now.
        own = [span for concept in sign.all for span in message.spans(index, concept)]
        return s.present.search(sentence, 0, start) is None and not any(
            not _overlaps(now, own) for now in s.present.finditer(sentence, past.end(), end))


# …できるのかな, …だろうか: wondering, a question without its mark.
_WONDERING = re.compile(r"(?:かな|かなぁ|かなあ|だろう|だろうか|でしょうか|のか)"
                        r"[ー～〜…‥.、!！\s]*$")
_QUESTION_MARKS = re.compile(r"[。．.\s]*[?？]")


def _asks(message: _Message, index: int) -> bool:
    """Whether the sentence ends with a question mark (the split drops its terminator)."""
    sentence = message.sentences[index]
    if _WONDERING.search(sentence.text):
        return True
    return _QUESTION_MARKS.match(message.text, sentence.start + len(sentence.text)) is not None


# After …たら, a verb in the past tells what happened (頭をうったら耳から水が出てきた);
# anything else leaves it a condition (抜けたらどうしよう).
_PAST_AFTER = re.compile(r"(?:た|だ|ました|でした|てる|でる|ている|ています|てます|てて|とる"
                         r"|ちゃった|じゃった)(?:よ|ね|の|ん|けど|けれど|が|し|わ|らしい|みたい"
                         r"|よう|[!?、,]|$|\s)"
                         # 遊んでたら急に吐いて, 吸引したら真っ赤: what was seen, told on.
                         r"|^\s*(?:急に|きゅうに|いきなり|突然|とつぜん|真っ赤|まっか|真っ青|まっさお"
                         r"|血だらけ|ちだらけ|紫|むらさき)")


_TAKEN_BACK = re.compile(
    r"(?:た|て|で)?(?:けど|けれど|のに|が[、,]|[^。]{0,8}(?:また|\bbut\b|\bthen\b))")
# A resolution that opens the next sentence (starts within these characters) counts
# without a word for now.
_OPENING = 6
# どうしたら, どうすれば, どうやったら ask what to do: no condition.
_CONDITION_AT_END = re.compile(
    r"(?<!どうし)(?<!どうす)(?<!どうや)(?<!どうやっ)(?:たら|だら|なら|れば)\s*$")
# A perfective auxiliary: what it follows has happened (切っちゃって, 抜けてしまって).
_HAPPENED = re.compile(r"(?:ちゃっ|じゃっ|ちゃい|てしまっ|でしまっ|てしまい|でしまい)")
# What others said (…たら救急車って言われてる) keeps a condition a condition.
_QUOTED = re.compile(r"って[^、。]{0,8}(?:言|いわ|聞|きい)|と(?:言|聞|いわ)")


def _overlaps(found: re.Match[str], spans: list[Span]) -> bool:
    return any(a < found.end() and found.start() < b for a, b in spans)


def _narrative(sentence: str, found: re.Match[str]) -> bool:
    word = found.group(0)
    # 触ったときにビリッときた: a past とき told on with what happened is no condition.
    # (抜けた時のために, 抜けたときの対処 stay general.)
    before = sentence[found.start() - 1:found.start()]
    past_when = (word in ("とき", "時") and before in ("た", "だ")
                 and not sentence.startswith("の", found.end()))
    if not word.endswith("ら") and not past_when:
        return False
    rest = sentence[found.end():]
    quoted = _QUOTED.search(rest)
    return _PAST_AFTER.search(rest[:quoted.start()] if quoted else rest) is not None


def _resolved_between(s: _Scope, message: _Message, index: int, low: int, high: int) -> bool:
    """A resolution strictly between a sign's words (緩んでただけで、締め直したら)."""
    if high <= low:
        return False
    sentence = message.sentences[index].text
    return any(m.end() <= high and not _conditional(sentence, m.end())
               for m in s.resolved.finditer(sentence, low, high))


_OWNER = re.compile(r"(?:ども|供|たち|ちゃん|くん)?の")


def _names_a_child(s: _Scope, text: str) -> bool:
    """A child the sentence is about: うちの子の薬 names only whose medicine it was."""
    return any(_OWNER.match(text, m.end()) is None for m in s.child.finditer(text))


def _conditional(text: str, end: int) -> bool:
    # 落ち着いたら連絡します: a resolution still to come is no resolution; もう大丈夫って聞いた
    # is what somebody said; おさまったけど目が覚めない and ケロッとして、またギャー take it back.
    # 復旧の見込みもわからない: a resolution nobody can count on yet.
    if text.startswith(("たら", "ら", "ば", "ても", "って", "と言", "と聞", "かな", "か?",
                        "の見込み", "のめど", "の目処", "の予定", "待ち"), end):
        return True
    return _TAKEN_BACK.match(text, end) is not None


def _nearest(message: _Message, index: int, concepts: list[str], start: int,
             end: int) -> tuple[int, int, int, int] | None:
    """The span from the first concept's words to the nearest words of each other one, and
    the stretch strictly between the earliest words and the latest."""
    chosen = [(start, end)]
    for concept in concepts:
        spans = message.spans(index, concept)
        if not spans:
            return None
        chosen.append(min(spans, key=lambda span: abs(span[0] - start)))
    first, last = min(chosen), max(chosen)
    return first[0], max(e for _, e in chosen), first[1], last[0]
