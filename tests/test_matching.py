"""How the FAQ matcher treats the ways parents really write.

Most tests run on the shipped content, as parents meet it; the reading test builds a
tiny FAQ of its own so that no hand-typed kana can help.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from content.base import Locale
from content.loader import DEFAULT_CONTENT_DIR, Content, load_content
from content.matching import build_matching
from content.matching.matcher import BandedMatcher
from content.models import (
    Category,
    FaqEntry,
    LocalizedText,
    OfficesFile,
    OffTopic,
    OffTopicFile,
    SynonymGroup,
    SynonymsFile,
)
from content.records import FaqMatch


def best(match: FaqMatch) -> str | None:
    """What the parent is shown first: the answer, or the first suggestion."""
    if match.mode == "answer":
        return match.topic
    if match.mode == "suggest":
        return match.suggestions[0]
    return None


@pytest.fixture(scope="module")
def shipped() -> Content:
    result = load_content(DEFAULT_CONTENT_DIR)
    assert result.content is not None, result.errors
    return result.content


@pytest.fixture(scope="module")
def matcher(shipped: Content, tmp_path_factory: pytest.TempPathFactory) -> BandedMatcher:
    return build_matching(shipped, tmp_path_factory.mktemp("index-cache"))


def small_content() -> Content:
    """Four entries written in kanji only: no alternates, no keywords, no kana to lean on."""
    lt = LocalizedText

    def entry(topic: str, question: str) -> FaqEntry:
        return FaqEntry(id=topic, category="general", question=question, answer="回答")

    entries = (
        entry("houmon_kango", "訪問看護を利用したい"),
        entry("tanki_nyusho", "短期入所の申込方法"),
        entry("shintai_techo", "身体障害者手帳の取得"),
        entry("hoikuen", "保育園への入園"),
    )
    english = tuple(e.model_copy(update={"question": f"About {e.id}"}) for e in entries)
    return Content(
        faq={"ja": entries, "en": english},
        categories=(Category(id="general", label=lt(ja="全般", en="General")),),
        offices=OfficesFile(shared_roles=[], offices=[]),
        synonyms=SynonymsFile(groups=[SynonymGroup(terms=["短期入所", "ショートステイ"])]),
        offtopic=OffTopicFile(
            topics=[
                OffTopic(
                    id="gomi",
                    patterns=["粗大ごみ"],
                    pointer=lt(ja="区役所へ", en="Ask the ward office"),
                )
            ]
        ),
        fingerprint="small-test-content",
    )


def test_a_message_in_hiragana_finds_the_entry_written_in_kanji(tmp_path: Path) -> None:
    small = build_matching(small_content(), tmp_path)
    assert best(small.match("ほうもんかんごを りようしたいです", "ja")) == "houmon_kango"
    assert best(small.match("しんたいしょうがいしゃてちょう ほしい", "ja")) == "shintai_techo"
    assert best(small.match("ほいくえんに いれたい", "ja")) == "hoikuen"


def test_a_synonym_finds_the_entry_that_uses_the_other_word(tmp_path: Path) -> None:
    small = build_matching(small_content(), tmp_path)
    assert best(small.match("ショートステイについて", "ja")) == "tanki_nyusho"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("放デイの見学ってできますか", "houkago_day"),
        ("児発の空きってどこで聞けばいい", "jido_hattatsu"),
        ("訪看さんの探し方を知りたい", "houmon_kango"),
        ("小慢の申請に必要なものは？", "shoman"),
        ("特児の書類はどこでもらえる", "tokuji_teate"),
        ("医ケアの子でも保育所に入れる？", "hoikuen"),
    ],
)
def test_abbreviations_parents_use_are_understood(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    assert best(matcher.match(text, "ja")) == topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("How do we get a home helper for our son?", "kyotaku_kaigo"),
        ("Is there a subsidy for a wheelchair?", "hosougu"),
        ("where can I ask about starting elementary school", "shugaku"),
        ("kobetsu hinan keikaku for my daughter", "kobetsu_hinan"),
    ],
)
def test_english_messages_and_romaji_find_their_entry(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    assert best(matcher.match(text, "en")) == topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("ｼｮｰﾄｽﾃｲを使いたい", "tanki_nyusho"),
        ("ＮＩＣＵから退院する前にやること", "discharge_before"),
        ("在宅レスパイドの申し込み", "zaitaku_respite"),
        ("特別児童不要手当の申請", "tokuji_teate"),
        ("ｺｰﾃﾞｨﾈｰﾀｰの役割を知りたい", "coord_what"),
    ],
)
def test_typos_and_half_width_katakana_still_match(
    matcher: BandedMatcher, text: str, topic: str
) -> None:
    assert best(matcher.match(text, "ja")) == topic


def test_a_japanese_message_is_matched_in_japanese_whatever_the_chat_language(
    matcher: BandedMatcher,
) -> None:
    assert best(matcher.match("車いすの助成はありますか", "en")) == "hosougu"


def test_a_general_ward_matter_is_refused_with_a_pointer(
    matcher: BandedMatcher, shipped: Content
) -> None:
    match = matcher.match("児童手当の振込日を教えてください", "ja")
    assert match.mode == "refuse"
    assert match.offtopic == "jido_teate"
    pointer = next(t.pointer for t in shipped.offtopic.topics if t.id == match.offtopic)
    assert "03-3264-2111" in pointer.ja


def test_a_longer_faq_term_containing_an_off_topic_word_is_not_off_topic(
    matcher: BandedMatcher,
) -> None:
    match = matcher.match("特別児童扶養手当の振込日を教えてください", "ja")
    assert match.offtopic is None
    assert best(match) == "tokuji_teate"


def test_a_care_word_inside_the_ward_matter_itself_does_not_make_it_a_care_question(
    matcher: BandedMatcher,
) -> None:
    match = matcher.match("障害者控除を受けるには？", "ja")
    assert (match.mode, match.offtopic) == ("refuse", "zeikin")


def test_a_ward_matter_for_a_child_with_medical_care_goes_to_the_faq(
    matcher: BandedMatcher,
) -> None:
    general = matcher.match("保育園の入園申し込みはいつまで？", "ja")
    assert general.mode == "refuse" and general.offtopic is not None
    with_care = matcher.match("胃ろうのある子の保育園の入園申し込みはいつまで？", "ja")
    assert best(with_care) == "hoikuen"


@pytest.mark.parametrize(
    "text", ["ｑｗｅｒｔｙ", "あいうえお かきくけこ", "😀😀😀", "   "]
)
def test_nonsense_and_unrelated_messages_are_refused(matcher: BandedMatcher, text: str) -> None:
    match = matcher.match(text, "ja")
    assert match.mode == "refuse"
    assert match.offtopic is None


def test_greetings_alone_get_the_greeting_reply_and_with_a_question_the_answer(
    matcher: BandedMatcher,
) -> None:
    thanks = matcher.match("ありがとうございました！", "ja")
    assert (thanks.mode, thanks.offtopic) == ("refuse", "aisatsu")
    question = matcher.match("こんにちは。訪問看護をお願いしたいのですが", "ja")
    assert best(question) == "houmon_kango"


def test_an_unclear_message_gets_suggestions_to_choose_from(matcher: BandedMatcher) -> None:
    match = matcher.match("手帳", "ja")
    assert match.mode == "suggest"
    assert {"shintai_techo", "ai_no_techo"} <= set(match.suggestions)
    assert len(match.suggestions) <= 3


@pytest.mark.parametrize("text", ["補助", "申請", "子ども"])
def test_one_common_word_gets_suggestions_rather_than_an_answer(
    matcher: BandedMatcher, text: str
) -> None:
    assert matcher.match(text, "ja").mode == "suggest"


def test_confidence_is_higher_for_a_clear_answer_than_for_suggestions(
    matcher: BandedMatcher,
) -> None:
    clear = matcher.match("訪問看護を使いたい", "ja")
    unclear = matcher.match("手帳", "ja")
    assert clear.mode == "answer"
    assert 0.0 <= unclear.confidence < clear.confidence <= 1.0


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_a_very_long_message_is_matched_quickly(matcher: BandedMatcher, locale: Locale) -> None:
    worry = "子どもの毎日のケアのことで色々悩んでいて、夜も眠れない日が続いています。"
    story = (worry * 140)[:4980]
    text = story + "訪問看護をお願いするにはどうすればいいですか"
    assert len(text) > 5000
    started = time.perf_counter()
    match = matcher.match(text, locale)
    assert time.perf_counter() - started < 1.0
    assert match.mode in ("answer", "suggest", "refuse")
