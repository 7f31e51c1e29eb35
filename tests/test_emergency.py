"""Emergencies are recognised in any words; the same words about the past, a
hypothetical or preparation are not."""

from __future__ import annotations

import time

import pytest

from content.matching.emergency import PatternEmergencyDetector


@pytest.fixture(scope="module")
def detector() -> PatternEmergencyDetector:
    return PatternEmergencyDetector()


@pytest.mark.parametrize(
    "text",
    [
        "息をしてない！",
        "むすめが いきしてないかも",
        "いきが できてない",
        "唇が紫色になってきた",
        "かおいろが むらさき",
        "ﾁｱﾉｰｾﾞがでてる",
        "気管カニューレが抜けちゃった",
        "かにゅーれ とれた どうしよう",
        "発作がもう10分止まりません",
        "けいれん とまらない",
        "何度呼んでも反応しない",
        "意識がもうろうとしてる",
        "人工呼吸器のアラームが鳴りっぱなし",
        "停電して呼吸器が動かなくなりました",
        "my daughter stopped breathing",
        "his face is turning blue",
        "the trach tube came out and won't go back",
        "the seizure still won't stop",
        "he is not responding to me",
    ],
)
def test_emergency_in_many_forms_is_recognised(
    detector: PatternEmergencyDetector, text: str
) -> None:
    assessment = detector.assess(text)
    assert assessment.emergency, text
    assert assessment.signals


def test_emergency_buried_in_a_long_message_is_recognised(
    detector: PatternEmergencyDetector,
) -> None:
    story = (
        "いつもありがとうございます。来年の就学相談のことや、ヘルパーさんの件でいろいろ聞きたいことが"
        "あって書いています。" * 20
        + "すみません、今それどころではなくて、息子の顔色が真っ青で息が苦しそうです。"
        + "あとで落ち着いたらまた連絡します。" * 5
    )
    assert detector.assess(story).emergency


@pytest.mark.parametrize(
    "text",
    [
        "先月けいれんで入院しました",
        "1歳のときに呼吸が止まって運ばれたことがあります",
        "もし停電したら呼吸器はどうなりますか",
        "万が一カニューレが抜けたら、どう対応すればいいですか",
        "痙攣が止まらないときの対処を主治医に聞いておきたい",
        "停電のとき人工呼吸器の電源はどうすればよいですか",
        "カニューレが抜けたときの練習会はありますか",
        "呼吸器をつけていても放デイに通えますか",
        "てんかん発作がある子の保育園",
        "What should we do if the ventilator stops in a blackout?",
        "he had a seizure three weeks ago, can he still go to school?",
        "is there training for when the trach comes out?",
    ],
)
def test_past_hypothetical_and_service_questions_are_not_flagged(
    detector: PatternEmergencyDetector, text: str
) -> None:
    assert not detector.assess(text).emergency, text


def test_the_past_does_not_hide_what_is_happening_again_now(
    detector: PatternEmergencyDetector,
) -> None:
    assert detector.assess("去年も同じことがあったけど、今また息ができなくなってる").emergency


def test_a_pasted_page_is_assessed_quickly(detector: PatternEmergencyDetector) -> None:
    page = "呼吸器とカニューレと吸引とけいれんと停電の話。" * 250
    started = time.perf_counter()
    detector.assess(page)
    assert time.perf_counter() - started < 0.5
