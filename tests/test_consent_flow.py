"""Consent before any detail: one plain screen, separate choices, every decision logged.

Driven through the engine with in-memory stores, and for the refusal also on a real
SQLite file, where every table is looked at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.consent import consent_screen, text_hash
from flows.engine import Engine
from tests.fakes import Chat
from tests.intake_fakes import SqliteChat, memory_chat, request_content, request_deps

# The shipped consent text's version, as every decision records it.
CONSENT_VERSION = request_content().consent["en"].version


@pytest.fixture
def engine() -> Engine:
    return Engine(request_deps())


def labels(chat: Chat) -> list[str]:
    assert chat.last is not None
    return [b.label for r in chat.last.replies for row in r.buttons for b in row]


async def open_consent(chat: Chat, role: str = "guardian") -> None:
    await chat.command("start")
    await chat.press("v1:req")
    await chat.press(f"v1:cs:role:{role}")


async def test_the_menu_offers_a_request_between_the_faq_and_the_offices(engine: Engine) -> None:
    chat = memory_chat(engine)
    await chat.command("start")
    menu = labels(chat)
    faq = next(i for i, label in enumerate(menu) if "トピック" in label or "質問" in label)
    request = menu.index("📝 相談を申し込む")
    offices = next(i for i, label in enumerate(menu) if "窓口" in label)
    assert faq < request < offices


async def test_nothing_is_asked_or_stored_before_consent(engine: Engine) -> None:
    chat = memory_chat(engine)
    await chat.press("v1:req")
    # The first screen asks only who is writing: nothing about the child.
    assert chat.session.state == "consent:role"
    assert "子どもの保護者です" in labels(chat)
    await chat.press("v1:cs:role:guardian")
    text = chat.all_text
    for part in ("相談の申し込みの前に", "医療的ケア児等コーディネーター", "保健所", "障害者福祉課",
                 "/mydata", "/withdraw", "自由です"):
        assert part in text, part
    # The retention period is not set yet, and the screen says so instead of inventing one.
    assert "区が定めているところです" in text
    assert chat.store.consents.rows == [] and chat.store.drafts.rows == {}
    # Three separate choices, none ticked in advance; no guardian confirmation for a guardian.
    toggles = [label for label in labels(chat) if label.startswith(("⬜", "✅"))]
    assert len(toggles) == 3 and all(t.startswith("⬜") for t in toggles)


async def test_the_retention_period_comes_from_the_content(engine: Engine) -> None:
    content = request_content()
    assert content.intake is not None
    content = request_content(intake=content.intake.model_copy(
        update={"closed_ticket_retention_days": 365}))
    chat = memory_chat(Engine(request_deps(content=content)))
    await open_consent(chat)
    assert "365日" in chat.all_text


async def test_item_one_is_needed_and_the_choices_are_recorded_separately(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await open_consent(chat)
    await chat.press("v1:cs:t:share")
    await chat.press("v1:cs:ok")
    assert "Item 1 is needed" in chat.all_text
    assert chat.store.consents.rows == []
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:t:share")  # untick again
    await chat.press("v1:cs:t:info")
    await chat.press_label("Continue")
    [record] = chat.store.consents.rows
    assert record.decision == "granted" and record.use_for_request
    assert not record.share_with_departments and record.age_information
    assert record.writer == "guardian" and record.text_version == CONSENT_VERSION
    assert record.locale == "en" and record.subject == "telegram:42:42"
    assert chat.session.state == "intake:residence"
    assert "consent" not in chat.session.data


async def test_the_hash_is_of_exactly_the_text_that_was_shown(engine: Engine) -> None:
    chat = memory_chat(engine)
    await open_consent(chat)
    assert chat.last is not None
    shown = chat.last.replies[0].text
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    [record] = chat.store.consents.rows
    content = request_content()
    labels_shown = [c.label for c in (content.consent["ja"].choice_intake,
                                      content.consent["ja"].choice_share,
                                      content.consent["ja"].choice_info,
                                      content.consent["ja"].proxy_confirm)]
    expected = hashlib.sha256("\n".join([shown, *labels_shown]).encode()).hexdigest()
    assert record.text_hash == expected
    # A different text (the English one) gives a different hash.
    assert text_hash(shown.replace("相談", "x"), content.consent["ja"]) != expected


async def test_a_professional_confirms_the_guardian_agreed(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await open_consent(chat, "pro")
    assert "guardian agreed" in chat.all_text
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    assert "please confirm that the child's guardian agreed" in chat.all_text
    assert chat.store.consents.rows == []
    await chat.press("v1:cs:t:confirm")
    await chat.press("v1:cs:ok")
    [record] = chat.store.consents.rows
    assert record.writer == "professional" and record.guardian_confirmed


async def test_declining_keeps_only_the_refusal_and_shows_the_coordinators(
    engine: Engine,
) -> None:
    chat = memory_chat(engine)
    await open_consent(chat)
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:t:share")
    await chat.press_label("同意しない")
    [record] = chat.store.consents.rows
    assert record.decision == "declined"
    assert not (record.use_for_request or record.share_with_departments or record.age_information)
    assert chat.store.drafts.rows == {} and chat.store.tickets.tickets == {}
    assert chat.store.outbox.messages == []
    assert chat.session.state == "idle" and "consent" not in chat.session.data
    assert "同意しなかった" in chat.all_text
    assert any("窓口" in label for label in labels(chat))  # the coordinators' offices


async def test_declined_consent_on_a_database_leaves_only_the_refusal(tmp_path: Path) -> None:
    chat = await SqliteChat.open(tmp_path / "t.db", request_deps())
    try:
        await chat.command("start")
        await chat.press("v1:req")
        await chat.press("v1:cs:role:family")
        await chat.press("v1:cs:t:intake")
        await chat.press("v1:cs:t:confirm")
        await chat.press("v1:cs:no")
        consents = await chat.rows("SELECT * FROM consents")
        assert len(consents) == 1
        row = consents[0]
        assert row["decision"] == "declined" and row["writer"] == "family"
        assert (row["use_for_request"], row["share_with_departments"], row["age_information"],
                row["guardian_confirmed"]) == (0, 0, 0, 0)
        assert len(row["text_hash"]) == 64 and row["text_version"] == CONSENT_VERSION
        for table in ("intake_drafts", "tickets", "ticket_details", "outbox", "unanswered"):
            assert await chat.rows(f"SELECT * FROM {table}") == [], table
        [session] = await chat.rows("SELECT state, data FROM sessions")
        assert session == {"state": "idle", "data": "{}"}
    finally:
        await chat.close()


async def test_cancelling_before_deciding_stores_nothing(engine: Engine) -> None:
    chat = memory_chat(engine)
    await chat.press("v1:req")
    await chat.press("v1:cs:cancel")
    assert chat.session.state == "idle" and chat.store.consents.rows == []
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.command("cancel")
    assert chat.session.state == "idle" and chat.store.consents.rows == []
    assert "何も保存していません" in chat.all_text or "Nothing was stored" in chat.all_text


async def test_typing_or_a_sticker_during_consent_shows_the_screen_again(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await open_consent(chat)
    await chat.text("my child is 2")
    assert "Please answer with the buttons" in chat.all_text
    assert "Tick what you agree to" in chat.all_text
    await chat.sticker()
    assert "Tick what you agree to" in chat.all_text
    assert chat.store.consents.rows == []


@pytest.mark.parametrize("data", ["v1:cs:t:everything", "v1:cs:role:admin", "v1:cs:ok:now",
                                  "v1:cs"])
async def test_forged_consent_buttons_record_nothing(engine: Engine, data: str) -> None:
    chat = memory_chat(engine)
    await open_consent(chat)
    await chat.press(data)
    assert chat.last is not None and chat.last.toast
    assert chat.store.consents.rows == []


async def test_a_stale_consent_button_after_leaving_records_nothing(engine: Engine) -> None:
    chat = memory_chat(engine)
    await open_consent(chat)
    await chat.command("start")
    await chat.press("v1:cs:ok")
    assert chat.store.consents.rows == []
    assert chat.last is not None and chat.last.toast


async def test_without_consent_texts_requests_point_to_the_offices() -> None:
    engine = Engine(request_deps(content=request_content(consent={})))
    chat = memory_chat(engine, language_code="en")
    await chat.press("v1:req")
    assert "not available" in chat.all_text
    assert chat.session.state == "idle"


def test_the_screen_names_the_version_and_escapes_staff_text() -> None:
    content = request_content()
    text = content.consent["en"].model_copy(update={"purpose": "Use <details> & more"})

    class _T:
        locale = "en"

        def _(self, message: str) -> str:
            return message

        @property
        def content(self) -> object:
            return content

    # consent_screen is typed to take a whole Turn; _T has the members it reads.
    screen = consent_screen(_T(), text, "guardian")  # type: ignore[arg-type]
    assert "Use &lt;details&gt; &amp; more" in screen
    assert f"version {CONSENT_VERSION}" in screen
    assert "guardian agreed" not in screen
    assert "guardian agreed" in consent_screen(_T(), text, "family")  # type: ignore[arg-type]
