"""Recognising a child in danger now, in whatever words a frightened parent types.

A message is an emergency when it describes, as happening now, one of the signals
below (breathing stopped or failing, turning blue, a tracheostomy tube out, a seizure
that does not stop, no response, a ventilator failing...). The same words are no
emergency when they are about the past (先月けいれんで入院した), a hypothetical (もし停電
したら), or a question about preparing or practising (カニューレが抜けたときの練習).

The engine shows emergency guidance first and then still answers, so when in doubt a
signal counts: a missed emergency costs far more than an extra line of guidance.

The tables are data: patterns are written in ordinary Japanese (katakana included) and
English, and compiled after the same folding as the messages (katakana to hiragana,
full to half width, long vowel marks dropped), so チアノーゼ also finds ちあのぜ and
ﾁｱﾉｰｾﾞ. Kana alternatives are spelt out where parents often type a word in hiragana.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.matching.normalize import fold
from flows.ports import EmergencyAssessment


def any_of(*words: str) -> str:
    """A regex alternative of the words (which may themselves hold small regexes)."""
    return "(?:" + "|".join(words) + ")"


# Between a subject and what happens to it a few words may stand (発作がずっと繰り返して).
GAP = r"[^、。,.?？\n]{0,8}?"
PARTICLE = r"(?:を|が|は|も|の)?"

BREATH = any_of("息", "いき", "呼吸", "こきゅう")
BREATH_FAILING = any_of(
    r"して(?:い)?(?:ない|へん|ません|ねえ)", "しない", "しとらん",
    r"止ま(?:って|った|りそう)", r"とま(?:って|った|りそう)",
    r"でき(?:な|てな|ず|ません|ひん)", r"出来(?:な|てな|ず|ません)",
    r"苦し(?:そう|い|がって)", r"くるし(?:そう|い|がって)",
    "荒い", "あらい", "浅い", "あさい", "弱い", "よわい", "おかしい", "変", "へん",
    "ゼーゼー", "ヒューヒュー",
)
SKIN = any_of(
    "顔色", "かおいろ", "顔", "かお", "唇", "くちびる", "口唇", "口の周り", "口のまわり", "口元",
    "爪", "つめ", "手足", "肌", "皮膚",
)
BAD_COLOUR = any_of(
    "紫", "むらさき", "青", "あお", "真っ青", "まっさお", "蒼白", "土気色", "どす黒", "黒っぽ",
    "白い", "真っ白", "まっしろ", "悪い", "わるい",
)
SATURATION = any_of(
    "サチュレーション", "サチュ", "サチレ", "spo2", "酸素飽和度", "酸素濃度", "酸素の値"
)
FALLING = any_of(
    r"下が(?:って|った|り続け)", r"さが(?:って|った)", r"落ち(?:て|た)", "低い", "ひくい",
    r"[1-8]\d\s*(?:%|パー|台)",
)
TRACH = any_of(
    "カニューレ", "カニューラ", "トラキ",
    r"気切(?:の)?(?:チューブ|管|カニューレ)?", r"気管切開(?:の)?(?:チューブ|管)?",
)
OUT_OR_BLOCKED = any_of(
    "抜け", "ぬけ", "外れ", "はずれ", "取れ", "とれ", "抜去", "抜い", "ぬい", "詰ま", "つま", "ずれ"
)
SEIZURE = any_of("痙攣", "けいれん", "ひきつけ", "引きつけ", "引き付け", "発作", "ほっさ")
NOT_STOPPING = any_of(
    "止まらな", "とまらな", "止まらん", "とまらん", "止まりません",
    "おさまらない", "治まらない", "収まらない", "続いて", "つづいて", "続く",
    "長い", r"なが(?:い|く)", r"\d+\s*分", "何分も", "繰り返", "くりかえ",
    r"起きて(?:る|いる)", r"して(?:る|いる|ます)", r"起こして(?:る|いる)",
)
CALLING = any_of(
    "呼びかけ", "よびかけ", "呼んで", "よんで", "声をかけて", "名前を呼んで",
    "揺すって", "ゆすって", "つねって", "叩いて",
)
NO_ANSWER = any_of(
    "ない", "しない", "しません", "ありません", "なし", "起きない", "おきない", "目を開けない"
)
VENTILATOR = any_of("呼吸器", "こきゅうき", "ベンチレーター", "レスピレーター")
ALARM = any_of("アラーム", "警報", "ブザー", "ピーピー")
RINGING = any_of(
    r"鳴り(?:止|や)まない", "なりやまない", "鳴りっぱなし", "鳴り続け", "なりつづけ", "ずっと鳴",
    r"鳴って(?:る|いる|ます)",
)
KEEPS_SOUNDING = any_of(RINGING, "ずっとなって", "止まらない", "とまらない", "なってる")
BROKEN_DOWN = any_of(
    r"止ま(?:った|って|りそう)", r"とま(?:った|って)", "動かな", "うごかな",
    "壊れ", "こわれ", "故障", r"電源が(?:落ち|切れ|入らな)", "作動しな",
)
POWER_OUT_NOW = any_of(
    r"して(?:る|いる|ます)", "した(?!ら)", "しました", "中", "になった(?!ら)", "になりました"
)
HOME_MACHINE = any_of("呼吸器", "吸引器", "酸素", "こきゅうき")
RUNNING_OUT = any_of(r"切れ(?:た|そう)", r"きれ(?:た|そう)", r"残り(?:少な|わずか)")

# (signal, pattern): danger happening now, in Japanese and in English.
SIGNALS: tuple[tuple[str, str], ...] = (
    ("breathing", BREATH + PARTICLE + GAP + BREATH_FAILING),
    ("breathing", r"(?:息苦し|いきぐるし)(?:そう|い|がって)"),
    ("breathing", any_of("呼吸停止", "心肺停止", "心停止")),
    # Apnoea is also a condition a child has; only an episode going on now counts.
    ("breathing", "無呼吸" + PARTICLE + GAP + any_of(
        "続いて", "つづいて", r"なって(?:る|いる)", r"起きて(?:る|いる)", "長い", "止まらない")),
    ("breathing", any_of("心臓", "脈", "みゃく") + r"(?:が)?" + any_of("止ま", "とま", "触れない")),
    ("choking", any_of("喉", "のど", "気道")
     + r"(?:に|が)?(?:何か|なにか)?(?:詰ま|つま)(?:って|った|らせ)"),
    ("choking", any_of("窒息", "誤飲し", "誤嚥し", r"飲み込んで(?:しま|ちゃ)")),
    ("choking", r"(?:痰|たん)(?:が)?(?:詰ま|つま)(?:って|った)"),
    ("choking", r"吸引(?:して|しても)(?:も)?(?:取れ|とれ|引け|ひけ)(?:ない|ません)"),
    ("colour", SKIN + r"(?:の色)?" + PARTICLE + GAP + BAD_COLOUR),
    ("colour", "チアノーゼ"),
    ("colour", SATURATION + PARTICLE + GAP + FALLING),
    ("trach", TRACH + PARTICLE + GAP + OUT_OR_BLOCKED),
    ("trach", any_of("事故抜去", "自己抜去", "計画外抜去")),
    ("seizure", SEIZURE + PARTICLE + GAP + NOT_STOPPING),
    ("seizure", any_of("重積", r"白目(?:を)?(?:むい|向い)", "泡を吹")),
    ("unresponsive", CALLING + r"(?:に|も)?\s*(?:反応|はんのう|返事|へんじ)?" + PARTICLE + r"\s*"
     + NO_ANSWER),
    ("unresponsive", any_of("意識", "いしき") + PARTICLE + r"\s*" + any_of(
        "ない", "なし", "戻らない", "もどらない", "もうろう", "朦朧", "おかしい", "ありません",
        "レベルが下が", "飛んで", "遠のいて")),
    ("unresponsive", any_of("反応", "はんのう") + PARTICLE + r"\s*" + any_of(
        "ない", "しない", "ありません", "鈍い", "にぶい", "薄い", "うすい")),
    ("unresponsive", any_of(
        "ぐったり", "ぐにゃ", "目を覚まさない", "目をさまさない", "起きてこない", "気を失")),
    ("ventilator", VENTILATOR + r"(?:の)?\s*" + ALARM + PARTICLE + GAP + KEEPS_SOUNDING),
    ("ventilator", VENTILATOR + PARTICLE + GAP + RINGING),
    ("ventilator", VENTILATOR + PARTICLE + GAP + BROKEN_DOWN),
    ("ventilator", "停電" + POWER_OUT_NOW + r".{0,20}" + HOME_MACHINE),
    ("ventilator", "停電で" + r".{0,20}" + HOME_MACHINE + PARTICLE + GAP + any_of(
        "止ま", "とま", "使えな", "つかえな", "動かな", "うごかな")),
    ("ventilator", any_of("バッテリー", "電池", "酸素",
        "ボンベ") + PARTICLE + r"\s*" + RUNNING_OUT),
    ("ventilator", any_of("酸素", "ボンベ") + PARTICLE + any_of(r"なくな(?:った|りそう)",
        r"無くな(?:った|りそう)")),
    ("bleeding", any_of("血が止まらない", r"大量(?:に)?出血", "吐血", "血を吐い", "大やけど")),
    ("ambulance", any_of("救急車", "きゅうきゅうしゃ", "119") + r"\s*(?:番)?(?:を|に|って|は)?\s*"
     + any_of("呼", "よ", "電話", "でんわ", "かけ")),
    ("ambulance", any_of(
        "急変", "死にそう", "しにそう", "死んじゃう", "死んでしまう", "息を引き取")),
    # English.
    ("breathing", r"\b" + any_of(
        "not", r"isn'?t", "is not", "stopped", "stop", r"can'?t", "cannot", "can not",
        r"couldn'?t", "struggling to", "hard to", "trouble", "difficulty", "no longer",
    ) + r"\s+(?:breath|breathe|breathing)\b"),
    ("breathing", r"\b(?:breathing|breath)\s+(?:is\s+|has\s+)?" + any_of(
        "stopped", "very hard", "hard", "difficult", "weird", "strange", "shallow", r"labou?red",
        "noisy", "fast", "struggling")),
    ("breathing", r"\b" + any_of("gasping", "no pulse", "heart stopped", "cardiac arrest")),
    ("choking", r"\b" + any_of(
        "choking", "choked", "chokes", r"airway (?:is )?blocked", "swallowed something")),
    ("colour", r"\b" + any_of(
        "turning", "turned", "went", "going", "is", "are", "look", "looks", "looking",
    ) + r"\s+(?:blue|purple|grey|gray)\b"),
    ("colour", r"\b(?:lips|face|skin)\s+(?:are\s+|is\s+)?(?:blue|purple|grey|gray|pale)\b"),
    ("colour", r"\b(?:cyanosis|cyanotic)\b"),
    ("colour", r"\b(?:sats?|saturation|spo2|oxygen(?: level)?)\s+(?:is\s+|are\s+)?" + any_of(
        "dropping", "falling", "low", "going down", r"[1-8]\d\s*%?")),
    ("trach", r"\b(?:trach|trache|tracheostomy|cannula)\s+(?:tube\s+)?(?:has\s+|is\s+)?" + any_of(
        "came", "come", "coming", "fell", "fallen", "pulled", "slipped", "popped", "out",
        "blocked", "plugged")),
    ("trach", r"\b(?:decannulat\w*|pulled (?:out )?(?:his|her|the|their) trach)"),
    ("seizure", r"\b(?:seizures?|convulsions?)\s+" + any_of(
        r"won'?t", "will not", r"doesn'?t", "does not", "not", r"isn'?t", "is not",
        r"hasn'?t", "has not", r"keeps?", "still", "lasting") + r"\b"),
    ("seizure", r"\b(?:seizure|seizing|fitting|convulsing)\s+for\s+"
     + any_of(r"\d+", "over", "more", "ten", "five", "several", "a long")),
    ("seizure", r"\b" + any_of("seizing", "convulsing", "having a seizure", "having a fit")),
    ("unresponsive", r"\b" + any_of(
        "unresponsive", "not responding", "no response", r"won'?t wake", "will not wake",
        "not waking", r"doesn'?t respond", "does not respond", "unconscious", "passed out",
        "fainted", "collapsed", "limp") + r"\b"),
    ("ventilator", r"\b(?:ventilator|vent)\s+alarms?\s+" + any_of(
        r"won'?t", "will not", r"keeps?", "is", "are", "going")),
    ("ventilator", r"\b(?:ventilator|vent)\s+(?:has\s+|is\s+)?" + any_of(
        "stopped", r"isn'?t working", "is not working", "not working", "died", "shut off",
        "turned off", "broke", "failed")),
    ("ventilator", r"\b(?:power|electricity)\s+(?:is\s+|went\s+|has\s+gone\s+)?"
     r"(?:out|cut|gone|off)\b.{0,40}\b(?:ventilator|vent|oxygen|suction)"),
    ("ventilator", r"\b(?:battery|batteries)\s+(?:is\s+|are\s+)?" + any_of(
        "dying", "dead", "running out", "almost empty", "low") + r"\b"),
    ("ambulance", r"\b" + any_of(
        r"call(?:ed|ing)? (?:an |the )?ambulance", "call 119", "call 911", "dying") + r"\b"),
)

# Before a signal in the same clause: the danger is imagined.
HYPOTHETICAL_BEFORE = any_of(
    "もし", "万が一", "万一", "仮に", "いざ", r"\bif\b", "in case", "what if", "whenever",
    r"\bwhen\b", r"should .{0,20}\bever",
)
# Right after a signal: a condition (…たら, …とき), a worry or a way to prepare, not an event.
# (…かも is not one: "maybe not breathing" is a parent unsure of what is happening now.)
HYPOTHETICAL_NEXT = r"^\s*" + any_of("ら", "ても", "のが", "人", "子", "ケース")
HYPOTHETICAL_AFTER = any_of(
    "(?<!どうし)(?<!どし)たら",  # but どうしたら is "what do I do"
    "だら", "とき", "時", "場合", "際", "ように", "心配", "不安", "怖", "こわ", "練習", "訓練",
    "対応", "対処", "方法", "備え", "準備", "予防", "やすい", "がち", r"ことが(?:ある|あり|多)",
)
# How far after a signal those words still bear on it, in characters.
AFTER_WINDOW = 10
# Signals that are only a question about calling for help: any condition in the sentence
# (息が止まったら救急車を呼ぶべき？) makes them hypothetical.
WEAK_SIGNALS = frozenset({"ambulance"})
CONDITION = any_of("たら", "とき", "時", "場合", r"\bif\b", r"\bwhen\b")
# Anywhere in the sentence: about the past...
PAST = any_of(
    "先月", "先週", "先々週", "去年", "昨年", "一昨年", "以前", "前回", "昔", "むかし",
    r"[0-9一二三四五六七八九十何数]+\s*(?:年|か月|ヶ月|カ月|ヵ月|週間|日)前",
    r"(?:生まれた|赤ちゃんの|小さい|新生児の)(?:とき|時|頃)", "入院中", "nicuにいた",
    r"\bas a (?:newborn|baby)\b", r"\blast (?:week|month|year|time)\b", r"\bago\b",
    r"\bin the past\b", r"\bused to\b", r"\bwhen (?:he|she) was\b", r"\bonce\b",
) + r"(?!\s*(?:から|より))"  # 先週から… is still going on
# ...unless the parent says it is happening again now (いま, but not the います of a verb).
PRESENT = any_of(
    "今", "いま(?![すしせ])", "さっき", "現在", "また", r"\bnow\b", r"\bcurrently\b", r"\bagain\b"
)
# Anywhere in the sentence: preparing or practising, the subject of FAQ questions.
PRACTICE = any_of(
    "練習", "訓練", "講習", "研修", "勉強会", "マニュアル", "シミュレーション", "対処法",
    "対応方法", "対策", "備え", r"\bpractice", r"\btraining", r"\bdrill", r"\bcourse\b",
    r"\bclass\b", r"\bprepare", r"\bpreparing", r"\bplan for",
)
# "!" ends no sentence: 停電した！呼吸器が… is one event.
_SENTENCE_END = re.compile(r"[。．.?？\n]+")
_CLAUSE_BREAK = re.compile(r"[、,，;；]|けど|けれど|\bbut\b")
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(fold(pattern))


@dataclass(frozen=True)
class _Compiled:
    signals: tuple[tuple[str, re.Pattern[str]], ...]
    before: re.Pattern[str]
    next: re.Pattern[str]
    after: re.Pattern[str]
    past: re.Pattern[str]
    present: re.Pattern[str]
    practice: re.Pattern[str]
    condition: re.Pattern[str]


def _compiled() -> _Compiled:
    return _Compiled(
        signals=tuple((name, _compile(p)) for name, p in SIGNALS),
        before=_compile(HYPOTHETICAL_BEFORE),
        next=_compile(HYPOTHETICAL_NEXT),
        after=_compile(HYPOTHETICAL_AFTER),
        past=_compile(PAST),
        present=_compile(PRESENT),
        practice=_compile(PRACTICE),
        condition=_compile(CONDITION),
    )


class PatternEmergencyDetector:
    def __init__(self) -> None:
        self._c = _compiled()

    def assess(self, text: str) -> EmergencyAssessment:
        folded = fold(text)
        fired: list[str] = []
        for sentence in _SENTENCE_END.split(folded):
            if not sentence.strip():
                continue
            for name, pattern in self._c.signals:
                for found in pattern.finditer(sentence):
                    if name in fired or self._set_aside(sentence, found):
                        continue
                    if name in WEAK_SIGNALS and self._c.condition.search(sentence):
                        continue
                    fired.append(name)
        return EmergencyAssessment(emergency=bool(fired), signals=tuple(fired))

    def _set_aside(self, sentence: str, found: re.Match[str]) -> bool:
        """True when the words describe the past, a hypothetical or preparation."""
        c = self._c
        start, end = found.span()
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)), default=0)
        if c.before.search(sentence, clause_start, start):
            return True
        following = sentence[end : end + AFTER_WINDOW]
        if c.next.match(following) or c.after.search(following):
            return True
        if c.practice.search(sentence):
            return True
        past = c.past.search(sentence)
        if past is None:
            return False
        # "Now" counts only between the past and the signal: 生まれた時にチアノーゼがあって、
        # 今は元気 is still about the past.
        if past.start() < start:
            return c.present.search(sentence, past.end(), end) is None
        return c.present.search(sentence, 0, start) is None
