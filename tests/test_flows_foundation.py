"""Transcripts of the guidance desk, driven through the engine with in-memory fakes."""

from __future__ import annotations

import pytest

from flows.engine import Engine
from flows.model import Inbound, Session
from tests.fakes import Chat, FakeContentSource, FixedClock, fake_source, make_deps, tg


@pytest.fixture
def engine() -> Engine:
    return Engine(make_deps())


def labels(chat: Chat) -> list[str]:
    assert chat.last is not None
    return [b.label for r in chat.last.replies for row in r.buttons for b in row]


async def test_start_welcomes_in_japanese_with_emergency_numbers_and_menu(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("start")
    text = chat.all_text
    assert "つなぐ" in text
    for number in ("119", "#7119", "#8000"):
        assert number in text
    assert any("トピック" in label or "質問" in label for label in labels(chat))
    assert any("窓口" in label for label in labels(chat))
    assert any("Language" in label for label in labels(chat))


async def test_start_answers_in_english_when_telegram_says_english(engine: Engine) -> None:
    chat = Chat(engine, language_code="en-GB")
    await chat.command("start")
    assert "Welcome to tsunagu" in chat.all_text
    assert "119" in chat.all_text


async def test_language_choice_is_remembered(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("language")
    await chat.press_label("English")
    assert chat.session.locale == "en"
    assert chat.last is not None and chat.last.toast
    await chat.command("help")
    assert "How to use tsunagu" in chat.all_text
    await chat.command("language", "ja")
    # mypy keeps the narrowing to "en" above across the await that changes the session.
    assert chat.session.locale == "ja"  # type: ignore[comparison-overlap]
    assert "日本語" in chat.all_text


async def test_free_text_question_gets_the_faq_answer_escaped(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.text("訪問看護をお願いしたい")
    text = chat.all_text
    assert "<b>訪問看護を利用したいです</b>" in text
    # Staff-written text is escaped: a stray "<" can never break the message or inject markup.
    assert "&lt;主治医&gt;" in text
    assert any("短期入所" in label for label in labels(chat))  # see_also


async def test_unreviewed_answer_says_details_are_being_confirmed(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.press("v1:faq:q:tanki_nyusho")
    assert "【要確認】" not in chat.all_text
    assert "確認中" in chat.all_text


async def test_unsure_match_offers_suggestions_and_logs_the_message(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.text("ショートって使える？")
    assert "もしかして" in chat.all_text
    assert len(labels(chat)) == 3  # two topics and "none of these"
    await chat.press_label("短期入所")
    assert "短期入所の説明" in chat.all_text
    rows = chat.store.unanswered.rows
    assert rows and rows[0]["mode"] == "suggest" and rows[0]["best_topic"] == "tanki_nyusho"
    assert "user" not in " ".join(rows[0].keys())


async def test_none_of_these_leads_to_the_coordinators(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.text("ショートって使える？")
    await chat.press_label("どれでもない")
    assert any("窓口" in label for label in labels(chat))


async def test_unknown_question_is_honest_and_points_to_a_coordinator(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.text("駐車場はありますか")
    assert "見つかりません" in chat.all_text
    assert any("窓口" in label for label in labels(chat))
    assert chat.store.unanswered.rows[0]["mode"] == "refuse"


async def test_off_topic_question_gets_a_pointer_not_a_wrong_answer(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.text("児童手当の申請はどこ？")
    assert "児童手当は区役所へ &lt;03-3264-2111&gt;" in chat.all_text


async def test_emergency_guidance_comes_first_and_nothing_unhelpful_follows(engine: Engine) -> None:
    chat = Chat(engine)
    outcome = await chat.text("子どもが息をしていない")
    assert len(outcome.replies) == 1
    assert "119" in outcome.replies[0].text and "#7119" in outcome.replies[0].text


async def test_emergency_guidance_first_then_the_question_is_still_answered(engine: Engine) -> None:
    chat = Chat(engine)
    outcome = await chat.text("けいれんが止まらない、訪問看護は呼べる？")
    assert "119" in outcome.replies[0].text
    assert "訪問看護を利用したいです" in outcome.replies[-1].text


@pytest.mark.parametrize(
    "data", ["garbage", "v1:faq:q:../../etc", "v2:menu", "v1:unknown", "v1:faq:q:" + "x" * 70, ""]
)
async def test_forged_or_stale_buttons_are_refused_politely(engine: Engine, data: str) -> None:
    chat = Chat(engine)
    outcome = await chat.press(data)
    assert outcome.toast
    assert "メニュー" in chat.all_text
    assert chat.session.state == "idle"


async def test_stale_topic_button_after_a_content_change(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.press("v1:faq:q:removed_topic")
    assert "ありません" in chat.all_text


async def test_unknown_command_and_sticker_get_clear_messages(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("frobnicate")
    assert "/frobnicate" in chat.all_text and "/help" in chat.all_text
    await chat.sticker()
    assert "文字" in chat.all_text


async def test_cancel_when_nothing_is_going_on(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("cancel")
    assert "ありません" in chat.all_text


async def test_help_lists_the_commands(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("help")
    for command in ("/start", "/menu", "/language", "/cancel", "/help"):
        assert command in chat.all_text
    assert "/resume" not in chat.all_text


async def test_offices_overview_detail_and_which_office(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.command("start")
    await chat.press_label("窓口")
    assert "退院前後の支援" in chat.all_text
    await chat.press_label("子ども発達センター")
    text = chat.all_text
    assert "サービス等利用計画の作成" in text
    # The office's own number is not public: the ward office's main number stands in.
    assert "03-3264-2111" in text and "【要確認】" not in text
    await chat.press("v1:off:tokyo_center")
    assert "03-3941-3221" in chat.all_text
    await chat.press("v1:off:which")
    assert "サービス等利用計画" in chat.all_text


async def test_browse_faq_by_category(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.press("v1:faq:cats")
    await chat.press_label("サービス")
    await chat.press_label("訪問看護")
    assert "看護師がご自宅に来る" in chat.all_text


async def test_group_messages_get_no_reply(engine: Engine) -> None:
    inbound = Inbound(channel="telegram", user_id=tg(1), chat_id=tg(-100), chat_type="supergroup",
                      kind="text", text="訪問看護")
    outcome = await engine.handle(inbound, Session(key="k"), Chat(engine).store)
    assert outcome.replies == []


async def test_very_long_message_is_still_answered(engine: Engine) -> None:
    chat = Chat(engine)
    story = "うちの子のことで長くなりますが聞いてください。" * 250 + "訪問看護は使えますか"
    assert len(story) > 5000
    await chat.text(story)
    assert "長い" in chat.texts[0]
    assert "訪問看護を利用したいです" in chat.all_text
    matcher_input = fake_source(engine.deps).matcher().calls[-1][0]
    assert len(matcher_input) < 2100


async def test_engine_does_not_change_the_session_it_was_given() -> None:
    engine = Engine(make_deps(FakeContentSource(), FixedClock()))
    original = Session(key="telegram:1:1")
    await engine.handle(
        Inbound(channel="telegram", user_id=tg(1), chat_id=tg(1), kind="command",
                command="language", text="en"),
        original,
        Chat(engine).store,
    )
    assert original.locale is None
