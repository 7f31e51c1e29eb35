"""Numbers in a parent's message read as numbers: saturation, temperature, age, minutes.

Each finder returns the spans where a measured concept holds in a folded sentence
(content/matching/normalize.py: digits are half width, text lower case), so a sign in
triage.yaml can use ``@spo2_low`` like any other concept. The thresholds are those of the
published guidance: a baby under 3 months with 38 °C or more is seen at once; SpO2 has no
universal threshold (the child's own plan sets it), so only values well below 90 count
here, and "not recovering" words do the rest; a seizure of 5 minutes or more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

Span = tuple[int, int]

# How far after a saturation word (triage.yaml's term, content/triage_models.py
# SATURATION_TERM) its number may stand.
_SATURATION_REACH = 30
_NUMBER = re.compile(r"(?<![0-9.])(\d{2,3})(?:\.\d)?(?![0-9])")
_TENS = re.compile(r"(?<![0-9])([4-8])(?:0\s*(?:台|%?台|代|s\b)|割)")
_LOW_WORDS = re.compile(r"\b(?:low|mid|high)? ?(?:70|80|60|50)s\b|\bin the (?:70|80|60)s\b")

_TEMPERATURE = re.compile(
    r"(?<![0-9.])(\d{2,3}(?:\.\d+)?)\s*(°c|°f|℃|度|ど\b|c\b|f\b|degrees?|ﾟ)"
)
_FEVER_BEFORE = re.compile(r"(?:熱|ねつ|体温|たいおん|測っ|はかっ|計っ|測る|はかる|体温計|temp"
                           r"|temperature|fever|thermometer|says|measured|reading)"
                           r"[^0-9]{0,12}(\d{2,3}(?:\.\d+)?)(?![0-9])")
# A number like 38.5 is a temperature whatever words stand around it; 38度5分 is 38.5 too.
_DECIMAL_TEMPERATURE = re.compile(
    r"(?<![0-9.])(3[89]|4[0-2])(?:\.|\s*(?:度|ど)\s*)[0-9](?:\s*(?:分|ぶ))?(?![0-9])")

_AGE = re.compile(
    r"(?:生後|生まれて|産まれて|うまれて)\s*(\d+)\s*(日|にち|週|しゅう|か月|かげつ|ヶ月)"
    r"|(?<![0-9])(\d+)\s*(か月|ヶ月|週|日)(?:間|目)?\s*(?:の|児|目|になる|になった|くらいの|ぐらいの)"
    r"|(?<![0-9])(\d+)[\s-]*(day|week|month)s?[\s-]*old"
    r"|\b(?:my|our|a|the) (\d+)[\s-]*(day|week|month)s?\b"
)
# Months in words: ひとつき, ふたつき, 一か月, 二か月.
_MONTHS_IN_WORDS = re.compile(
    r"(?:生後|生まれて|産まれて|うまれて)?\s*"
    r"(?:ひとつき|ふたつき|一か月|二か月|一ヶ月|二ヶ月|ひと月|ふた月)")
_NEWBORN = re.compile(r"新生児|生まれたばかり|生後すぐ|生後まもな|生後間もな|\bnewborn|\bneonat")

_MINUTES = re.compile(r"(?<![0-9])(\d+)\s*(?:分|min\b|mins\b|minutes?)(?!前)")
_MINUTES_WORDS = re.compile(r"\bhalf an hour|\bten minutes|\bfive minutes|\bfifteen minutes"
                            r"|何分も|十分以上|三十分")


# A value with these after it is a bound (90を下回る, below 90), with these before it the
# child's usual value (普段は97): neither is the reading now.
_BELOW = re.compile(r"\s*(?:%|パー|ぱ)?\s*(?:を|より)?\s*"
                    r"(?:下回|した回|切っ|切る|切り|割っ|割る|割り|以下|未満)"
                    r"|\s*%?\s*(?:or )?(?:below|under|or less)")
_USUAL = re.compile(
    r"(?:普段|ふだん|いつも|通常|平常|usually|normally|normal is|baseline)[^0-9]{0,6}$")
_USUAL_BEFORE = re.compile(r"(?:普段|ふだん|いつも|通常|平常|usually|normally)(?:は|の|から)?\s*$")


# 生後五十日, 三十八度五分: numbers in kanji before a unit are read as digits (only there, so
# words such as 一安心 or 一人 keep their kanji).
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_KANJI_NUMBER = re.compile(
    r"[一二三四五六七八九十百〇零]+(?=\s*(?:日|週|か月|ヶ月|カ月|度|%|ぱせんと|分|秒|歳|才|回|時間))")
_DEGREES_AND_TENTHS = re.compile(r"(\d{2})度(\d)分")


def _kanji_value(word: str) -> int:
    total, current = 0, 0
    for char in word:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[char]
    return total + current


def arabic_numbers(text: str) -> str:
    """Kanji numbers before a unit as digits, and 38度5分 as 38.5度."""
    text = _KANJI_NUMBER.sub(lambda m: str(_kanji_value(m.group(0))), text)
    return _DEGREES_AND_TENTHS.sub(r"\1.\2度", text)


def spo2_low(sentence: str, saturation: re.Pattern[str]) -> list[Span]:
    """Saturation values below 90 (and "in the 80s", 8割, 70台, 90を下回る) after a saturation
    word."""
    spans: list[Span] = []
    for word in saturation.finditer(sentence):
        if _USUAL_BEFORE.search(sentence, max(0, word.start() - 10), word.start()):
            continue  # いつもサチ80前後: the child's usual value, not a fall
        window_end = min(len(sentence), word.end() + _SATURATION_REACH)
        window = sentence[word.end():window_end]
        for number in _NUMBER.finditer(window):
            value = int(number.group(1))
            if _USUAL.search(window[:number.start()]):
                continue
            bound = _BELOW.match(window, number.end()) is not None
            if 40 <= value < 90 or (bound and 40 <= value <= 95):
                spans.append((word.end() + number.start(), word.end() + number.end()))
        for pattern in (_TENS, _LOW_WORDS):
            for found in pattern.finditer(window):
                spans.append((word.end() + found.start(), word.end() + found.end()))
    return spans


def spo2_ok(sentence: str, saturation: re.Pattern[str]) -> list[Span]:
    """Saturation values of 90 or more: a reading that is not itself the danger."""
    spans: list[Span] = []
    for word in saturation.finditer(sentence):
        window = sentence[word.end():min(len(sentence), word.end() + _SATURATION_REACH)]
        for number in _NUMBER.finditer(window):
            usual = _USUAL.search(window[:number.start()]) is not None
            bound = _BELOW.match(window, number.end()) is not None
            if 90 <= int(number.group(1)) <= 100 and not usual and not bound:
                spans.append((word.end() + number.start(), word.end() + number.end()))
    return spans


def fever(sentence: str) -> list[Span]:
    """A body temperature of 38 °C or more (100.4 °F)."""
    spans: list[Span] = []
    for found in _TEMPERATURE.finditer(sentence):
        value, unit = float(found.group(1)), found.group(2)
        if (unit in ("°f", "f") and 100.4 <= value < 110) or 38 <= value < 43:
            spans.append(found.span())
    for found in _FEVER_BEFORE.finditer(sentence):
        value = float(found.group(1))
        if 38 <= value < 43 or 100.4 <= value < 110:
            spans.append(found.span(1))
    spans += [m.span() for m in _DECIMAL_TEMPERATURE.finditer(sentence)]
    return spans


_DAYS_IN = {"日": 1, "にち": 1, "day": 1, "週": 7, "しゅう": 7, "week": 7}


def young_infant(sentence: str) -> list[Span]:
    """A baby under 3 months old."""
    spans = [m.span() for m in _NEWBORN.finditer(sentence)]
    spans += [m.span() for m in _MONTHS_IN_WORDS.finditer(sentence)]
    for found in _AGE.finditer(sentence):
        groups = [g for g in found.groups() if g is not None]
        number, unit = int(groups[0]), groups[1]
        days = number * _DAYS_IN.get(unit, 30)
        if days < 90:
            spans.append(found.span())
    return spans


def long_minutes(sentence: str) -> list[Span]:
    """Five minutes or more (of a seizure, say)."""
    spans = [m.span() for m in _MINUTES.finditer(sentence) if int(m.group(1)) >= 5]
    return spans + [m.span() for m in _MINUTES_WORDS.finditer(sentence)]


_PULSE = re.compile(r"脈|みゃく|心拍|しんぱく|\bhr\b|\bpulse|heart ?rate|heart ?beat|\bbpm")
# 1分間に40: the "1" counts time, not beats.
_COUNT = re.compile(r"(?<![0-9.])(\d{2,3})(?![0-9])(?!\s*(?:分|秒|時間|min|sec|hour))")
# Room for "heart rate on the monitor says 240".
_PULSE_REACH = 26


def pulse_abnormal(sentence: str) -> list[Span]:
    """A child's pulse of 200 or more, or 50 or less (under 60 when it is falling below)."""
    spans: list[Span] = []
    for word in _PULSE.finditer(sentence):
        end = min(len(sentence), word.end() + _PULSE_REACH)
        found = _COUNT.search(sentence, word.end(), end)
        if found is None:
            continue
        value = int(found.group(1))
        bound = _BELOW.match(sentence, found.end()) is not None
        if value >= 200 or value <= 50 or (bound and value <= 60):
            spans.append(found.span(1))
    return spans


_GLUCOSE = re.compile(r"(?:血糖|けっとう|blood sugar|glucose|\bbg\b"
                      r"|meter (?:says|reads|shows)|sugar)"
                      r"[^0-9]{0,12}(\d{1,3}(?:\.\d)?)(?![0-9])")


def glucose_low(sentence: str) -> list[Span]:
    """Blood glucose below 60 mg/dL (or below 3.5 mmol/L when written with a decimal)."""
    spans: list[Span] = []
    for found in _GLUCOSE.finditer(sentence):
        text = found.group(1)
        value = float(text)
        if "." in text or value < 10:
            low = value < 3.5
        else:
            low = 10 <= value < 60
        if low:
            spans.append(found.span(1))
    return spans


Finder = Callable[[str], list[Span]]


def measures(saturation: re.Pattern[str] | None) -> dict[str, Finder]:
    """The measured concepts; the saturation ones only with the words they read after
    (triage.yaml's ``saturation`` term, compiled like every term: checked there to exist
    wherever a sign uses them)."""
    found = dict(_MEASURES)
    if saturation is not None:
        found["@spo2_low"] = partial(spo2_low, saturation=saturation)
        found["@spo2_ok"] = partial(spo2_ok, saturation=saturation)
    return found


_MEASURES: dict[str, Finder] = {
    "@fever": fever,
    "@young_infant": young_infant,
    "@long_minutes": long_minutes,
    "@pulse_abnormal": pulse_abnormal,
    "@glucose_low": glucose_low,
}
