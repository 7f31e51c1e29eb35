"""What a parent reads when a message sounds like danger: the shipped emergency.yaml, routed by
the kind of danger, before anything else; one calm line when the detector is unsure."""

from __future__ import annotations

import pytest

from content.loader import Content, load_content
from content.matching.emergency import TriageDetector
from flows.engine import Engine
from flows.text import to_plain
from tests.fakes import Chat, FakeContentSource, make_deps


@pytest.fixture(scope="module")
def shipped() -> Content:
    content = load_content().content
    assert content is not None
    return content


@pytest.fixture
def chat(shipped: Content) -> Chat:
    deps = make_deps(FakeContentSource(content=shipped))
    assert shipped.triage is not None
    deps = type(deps)(content=deps.content, emergency=TriageDetector(shipped.triage),
                      translations=deps.translations, clock=deps.clock)
    return Chat(Engine(deps))


async def test_a_gastrostomy_out_gets_its_first_steps_and_the_hospital(chat: Chat) -> None:
    await chat.text("胃ろうのボタンが抜けてしまった！")
    first = to_plain(chat.texts[0])
    assert first.startswith("⚠️ いますぐ対応が必要かもしれません") and "119" in first
    assert "胃ろう" in first and "予備" in first  # the category's own first steps
    assert "主治医の病院か訪問看護" in first  # whom to call for this kind
    assert "#7119" in first and "救急の窓口ではなく" in first


async def test_a_swallowed_battery_names_the_poison_line_without_the_staff_marker(
        chat: Chat) -> None:
    await chat.text("子どもがボタン電池を飲み込んだかもしれない")
    first = to_plain(chat.texts[0])
    assert "ボタン電池" in first and "072-727-2499" in first
    assert "【要確認】" not in first


async def test_english_guidance_in_english(chat: Chat) -> None:
    chat.language_code = "en"
    await chat.text("the trach came out and I can't get the new one back in")
    first = to_plain(chat.texts[0])
    assert "spare tube" in first and "call 119" in first


async def test_an_unsure_message_gets_one_calm_line_then_the_answer(chat: Chat) -> None:
    await chat.text("なんかいつもと様子が違う気がする")
    assert len(chat.texts) >= 2
    assert to_plain(chat.texts[0]).startswith("もしお子さんがいま危ない状態なら")
    assert not any(t.startswith("⚠️") for t in map(to_plain, chat.texts))


async def test_an_ordinary_question_gets_no_emergency_line(chat: Chat) -> None:
    await chat.text("訪問看護を使いたいのですが")
    assert not any("119" in to_plain(t) for t in chat.texts[:1])


async def test_a_danger_first_for_119_says_119_at_once(chat: Chat) -> None:
    await chat.text("息をしていない！")
    assert to_plain(chat.texts[0]).startswith("⚠️ お子さんがいま危ない状態かもしれません")
