"""Whole intake transcripts, consent → questions with mistakes and changes → ticket, in
Japanese and English, through the engine with in-memory stores and a fixed clock."""

from __future__ import annotations

import pytest

from flows.engine import Engine
from tests.fakes import Chat, FixedClock
from tests.intake_fakes import memory_chat, request_deps


@pytest.fixture
def engine() -> Engine:
    return Engine(request_deps())


def labels(chat: Chat) -> list[str]:
    assert chat.last is not None
    return [b.label for r in chat.last.replies for row in r.buttons for b in row]


def draft_answers(chat: Chat) -> dict[str, object]:
    return chat.store.drafts.rows[chat.session.key].answers


async def consent(chat: Chat, role: str = "guardian", *ticks: str) -> None:
    await chat.press("v1:req")
    await chat.press(f"v1:cs:role:{role}")
    for tick in ("intake", *ticks):
        await chat.press(f"v1:cs:t:{tick}")
    await chat.press("v1:cs:ok")
    assert chat.session.state == "intake:residence", chat.all_text


async def test_japanese_transcript_with_mistakes_and_changes(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="ja")
    await chat.command("start")
    await chat.press_label("相談を申し込む")
    await chat.press_label("子どもの保護者です")
    await chat.press_label("1. 相談に使う")
    await chat.press_label("次へ")
    assert "質問 1" in chat.all_text

    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("にさい")  # not an age: re-asked with an example
    assert "2歳3か月" in chat.all_text and chat.session.state == "intake:age"
    await chat.text("２歳３か月")
    assert chat.session.state == "intake:care"

    await chat.press_label("人工呼吸器")
    await chat.press_label("吸引")
    await chat.press_label("その他")
    await chat.press_label("決定")
    assert chat.session.state == "intake:care_other"
    await chat.text("<script>在宅酸素の準備</script>")

    await chat.press("v1:in:situation:v:hospital")
    await chat.text("11/1")  # already past
    assert "もう過ぎています" in chat.all_text and chat.session.state == "intake:discharge"
    await chat.text("12月1日")

    await chat.press_label("退院の前後のこと")
    await chat.press_label("決定")
    await chat.sticker()  # the engine says it reads text only; the question comes again
    assert "ほかにコーディネーターに伝えておきたいこと" in chat.all_text
    await chat.text("夜" * 5000)
    assert "5000" in chat.all_text and chat.session.state == "intake:note"
    await chat.text("夜間の吸引が大変です")
    await chat.press("v1:in:contact:v:chat")
    await chat.text("12345")
    assert "お名前を文字で入力してください" in chat.all_text
    await chat.text("千代田 花子")

    assert chat.session.state == "intake:summary"
    summary = chat.all_text
    for part in ("人工呼吸器", "吸引（たんの吸引など）",
                 "&lt;script&gt;在宅酸素の準備&lt;/script&gt;", "2026年12月1日(火)",
                 "退院の前後のこと", "夜間の吸引が大変です", "千代田 花子"):
        assert part in summary, part
    assert "<script>" not in summary

    # Change an answer: the child is home now, with no support yet.
    await chat.press("v1:in:summary:edit:situation")
    assert "いまの回答" in chat.all_text
    await chat.press("v1:in:situation:v:home")
    assert chat.session.state == "intake:support"  # the follow-up the change needs
    await chat.press("v1:in:support:v:none")
    assert chat.session.state == "intake:summary"
    assert "2026年12月1日" not in chat.all_text  # the discharge date no longer applies
    assert "discharge" not in draft_answers(chat)

    await chat.press_label("コーディネーターに送る")
    text = chat.all_text
    assert "<b>受付番号 K-0001</b>" in text
    assert "児童・家庭支援センター" in text  # routed to the default office
    assert chat.session.state == "idle"
    assert chat.store.drafts.rows == {}

    [(ticket_id, row)] = chat.store.tickets.tickets.items()
    assert row["office"] == "jido_katei" and row["priority"] == "high"  # home, no support
    details = chat.store.tickets.details[ticket_id]
    assert details.answers["care"] == ["vent", "suction", "other"]
    assert details.answers["care_other"] == "<script>在宅酸素の準備</script>"  # kept as typed
    assert details.answers["age"] == {"kind": "age", "years": 2, "months": 3}
    assert details.locale == "ja" and not details.share_with_departments
    [notice] = chat.store.outbox.messages
    assert notice.kind == "ticket_new" and notice.office == "jido_katei"
    assert notice.payload == {"reference": "K-0001", "priority": "high", "office": "jido_katei"}


async def test_english_transcript_by_a_professional_with_phone_contact(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await chat.command("start")
    await chat.press_label("Ask a coordinator for help")
    await chat.press_label("A professional")
    await chat.press_label("1. Use for my request")
    await chat.press_label("2. Share with related departments")
    await chat.press_label("The guardian has agreed")
    await chat.press_label("Continue")

    await chat.text("In Chiyoda City")  # typing a button's label works too
    assert chat.session.state == "intake:age"
    await chat.text("born in April 2025")
    await chat.press_label("Tracheostomy")
    await chat.press_label("Done")
    await chat.press_label("In hospital")
    await chat.text("December 3")  # nine days ahead: urgent
    await chat.press_label("Service use plan")
    await chat.press_label("Respite")
    await chat.press_label("Done")
    await chat.press_label("Skip")  # nothing else to add
    await chat.press_label("Phone me")
    await chat.text("12-34")
    assert "03-1234-5678" in chat.all_text  # the example in the polite correction
    await chat.text("090-1234-5678")
    await chat.text("weekdays after 2 pm")
    await chat.text("Hanako Chiyoda")
    assert chat.session.state == "intake:writer_name"
    await chat.text("Sato, medical social worker, Kudan Hospital")

    summary = chat.all_text
    for part in ("A professional, for the family", "born in April 2025", "Tracheostomy",
                 "Thu, Dec 3, 2026", "Service use plan, Respite or short stay", "(skipped)",
                 "090-1234-5678", "weekdays after 2 pm", "Sato, medical social worker"):
        assert part in summary, part

    # Go back one question from the summary, keep the answer, return.
    await chat.press_label("← Back")
    assert chat.session.state == "intake:writer_name"
    await chat.press_label("Keep the current answer")
    assert chat.session.state == "intake:summary"

    await chat.press_label("Send to the coordinators")
    text = chat.all_text
    assert "Reference K-0001" in text and "Child Development Center" in text
    assert "phone you" in text and "on a business day (the desk's exact hours" in text
    [(ticket_id, row)] = chat.store.tickets.tickets.items()
    assert row["office"] == "kodomo_hattatsu" and row["priority"] == "high"
    details = chat.store.tickets.details[ticket_id]
    assert details.share_with_departments and details.answers["writer"] == "professional"
    assert details.answers["writer_name"].startswith("Sato")


async def test_back_skip_and_cancel_work_at_every_step(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:moving_in")
    await chat.press("v1:in:age:back")
    assert chat.session.state == "intake:residence" and "Current answer" in chat.all_text
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("8 months")
    await chat.press("v1:in:care:t:other")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:care_other:skip")
    assert chat.session.state == "intake:situation"
    await chat.press("v1:in:situation:cancel")
    assert "Cancel this request?" in chat.all_text
    await chat.press("v1:in:situation:cancel_no")
    assert chat.session.state == "intake:situation" and chat.store.drafts.rows
    await chat.press("v1:in:situation:cancel")
    await chat.press("v1:in:situation:cancel_yes")
    assert chat.session.state == "idle" and chat.store.drafts.rows == {}
    assert chat.store.tickets.tickets == {}


async def test_slash_cancel_inside_a_request_asks_then_deletes(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.command("cancel")
    assert "Cancel this request?" in chat.all_text and chat.store.drafts.rows
    await chat.press_label("Yes, cancel and delete")
    assert chat.store.drafts.rows == {}
    await chat.command("cancel")
    assert "nothing to cancel" in chat.all_text.lower() or "ありません" in chat.all_text


async def test_multiple_choice_needs_one_and_refuses_forged_options(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:done")
    assert "at least one" in chat.all_text and chat.session.state == "intake:care"
    await chat.press("v1:in:care:t:rocket")
    assert chat.last is not None and chat.last.toast
    assert draft_answers(chat).get("care") in (None, [])
    await chat.text("something")  # text where buttons are expected
    assert "buttons" in chat.all_text and chat.session.state == "intake:care"


async def test_a_button_from_an_earlier_question_is_refused(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:residence:v:moving_in")  # pressed again on an old message
    assert "earlier question" in chat.all_text
    assert draft_answers(chat)["residence"] == "chiyoda"
    assert chat.session.state == "intake:care"
    for forged in ("v1:in:care:v:chiyoda", "v1:in:summary:send", "v1:in:care:edit:name", "v1:in"):
        await chat.press(forged)
        assert chat.last is not None and chat.last.toast, forged
        assert chat.store.tickets.tickets == {}


async def test_families_elsewhere_are_pointed_to_their_own_town(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:elsewhere")
    text = chat.all_text
    assert "03-3941-3221" in text and "042-312-8164" in text
    assert "residence" not in draft_answers(chat)
    await chat.press_label("Change my answer")
    assert chat.session.state == "intake:residence"
    await chat.press("v1:in:residence:v:elsewhere")
    await chat.press_label("End here and delete my answers")
    assert chat.store.drafts.rows == {} and chat.session.state == "idle"


async def test_a_paused_request_is_offered_again_from_the_menu(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.command("start")  # wander off to the menu
    assert chat.session.state == "idle"
    await chat.text("how do I find a nurse")  # a FAQ question meanwhile is answered as usual
    assert "A nurse visits your home" in chat.all_text
    await chat.press("v1:req")
    assert "unfinished request" in chat.all_text
    await chat.press_label("Continue my request")
    assert chat.session.state == "intake:age" and "How old is the child" in chat.all_text
    # The consent given before still stands: no second consent was asked.
    assert len(chat.store.consents.rows) == 1


async def test_start_again_keeps_the_consent_and_delete_removes_the_draft(
    engine: Engine,
) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.command("menu")
    await chat.press("v1:req")
    await chat.press("v1:req:new")
    assert chat.session.state == "intake:residence"
    assert "residence" not in draft_answers(chat)
    await chat.command("menu")
    await chat.press("v1:req")
    await chat.press("v1:req:del")
    assert chat.store.drafts.rows == {}
    await chat.press("v1:req:go")  # a reminder's button after the draft went
    assert "no longer stored" in chat.all_text


async def test_changing_who_writes_asks_for_consent_again(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:home")
    await chat.press("v1:in:support:v:some")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.press("v1:in:note:skip")
    await chat.press("v1:in:contact:v:visit")
    await chat.text("Hanako Chiyoda")
    assert chat.session.state == "intake:summary"
    await chat.press("v1:in:summary:edit:writer")
    assert chat.session.state == "consent:role"
    await chat.press("v1:cs:role:family")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:t:confirm")
    await chat.press("v1:cs:ok")
    # A family member writing for the guardian is asked who they are, then the summary.
    assert chat.session.state == "intake:writer_name"
    await chat.text("Taro Chiyoda, the child's grandfather")
    assert chat.session.state == "intake:summary"
    assert "A family member, for the guardian" in chat.all_text
    assert [r.decision for r in chat.store.consents.rows] == ["granted", "granted"]
    assert draft_answers(chat)["writer"] == "family"
    # Declining the new consent instead deletes the draft: only refusals remain.
    await chat.press("v1:in:summary:edit:writer")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:no")
    assert chat.store.drafts.rows == {}
    assert chat.store.consents.rows[-1].decision == "declined"


async def test_a_discharge_date_that_passes_while_the_draft_waits_is_asked_again() -> None:
    clock = FixedClock()
    chat = memory_chat(Engine(request_deps(clock=clock)), language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:hospital")
    await chat.text("November 26")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.press("v1:in:note:skip")
    await chat.press("v1:in:contact:v:chat")
    await chat.text("Hanako Chiyoda")
    clock.advance(days=3)
    await chat.press("v1:in:summary:send")
    assert chat.store.tickets.tickets == {}
    assert chat.session.state == "intake:discharge"
    assert "Expected discharge" in chat.all_text
    await chat.press("v1:in:discharge:v:undecided")
    assert chat.session.state == "intake:summary"
    await chat.press("v1:in:summary:send")
    [row] = chat.store.tickets.tickets.values()
    assert row["priority"] == "normal"


async def test_sending_twice_makes_one_ticket(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:other")
    await chat.text("Between hospital and home")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.press("v1:in:note:skip")
    await chat.press("v1:in:contact:v:chat")
    await chat.text("Hanako Chiyoda")
    await chat.press("v1:in:summary:send")
    await chat.press("v1:in:summary:send")
    assert len(chat.store.tickets.tickets) == 1
    assert "no longer stored" in chat.all_text


async def test_the_question_number_only_moves_on_as_follow_ups_open(engine: Engine) -> None:
    import itertools
    import re

    chat = memory_chat(engine, language_code="ja")
    numbers: list[int] = []

    def shown() -> None:
        found = re.findall(r"<i>質問 (\d+)([^<]*)</i>", chat.all_text)
        assert len(found) == 1 and found[0][1] == "", chat.all_text  # one number, no total
        numbers.append(int(found[0][0]))

    await consent(chat)
    shown()
    # Choosing “other” opens a follow-up, and so do a hospital stay and phone contact: the
    # follow-up takes the next number and nothing after it makes the count go back.
    for kind, value in (
        ("press", "residence:v:chiyoda"), ("text", "2歳"), ("press", "care:t:other"),
        ("press", "care:done"), ("press", "care_other:skip"), ("press", "situation:v:hospital"),
        ("text", "未定"), ("press", "discharge:v:undecided"), ("press", "needs:t:other"),
        ("press", "needs:done"), ("press", "needs_other:skip"), ("press", "note:skip"),
        ("press", "contact:v:phone"), ("text", "03-1234-5678"),
    ):
        if kind == "press":
            await chat.press(f"v1:in:{value}")
        else:
            await chat.text(value)
        shown()
    assert numbers[-1] == 12  # phone_times: the 12th question on this path
    moves = [b - a for a, b in itertools.pairwise(numbers)]
    assert all(move >= 0 for move in moves), numbers
    assert sorted(set(numbers)) == list(range(1, max(numbers) + 1)), numbers  # none skipped


async def test_a_question_typed_where_buttons_wait_is_answered(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await consent(chat)
    await chat.text("how do I find a nurse")  # at a multiple-choice step
    answer, again = chat.texts
    assert "A nurse visits your home" in answer and "back to your request" in answer
    assert "Where does the family live?" in again and chat.session.state == "intake:residence"
    assert "Please choose with the buttons below" not in chat.all_text
    assert any("Chiyoda" in label for label in labels(chat))  # the buttons, again
    assert chat.store.faq_views.rows  # counted like any answer the FAQ gives

    await chat.text("what happens to the dog")  # not in the FAQ: where it can go instead
    assert "once this request is sent, you can write it here" in chat.all_text
    assert chat.session.state == "intake:residence"

    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("Can a nurse come to our home?")  # where an age is asked
    assert "A nurse visits your home" in chat.all_text
    assert "could not read that as an age" not in chat.all_text
    assert chat.session.state == "intake:age" and "age" not in draft_answers(chat)


async def test_a_professional_reads_questions_about_the_family(engine: Engine) -> None:
    chat = memory_chat(engine, language_code="en")
    await chat.press("v1:req")
    await chat.press("v1:cs:role:pro")
    for tick in ("intake", "confirm"):
        await chat.press(f"v1:cs:t:{tick}")
    await chat.press("v1:cs:ok")
    assert chat.session.state == "intake:residence"
    assert labels(chat)[:3] == ["In Chiyoda City", "Moving to Chiyoda City", "Somewhere else"]
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.press("v1:in:age:back")  # the question again, with the answer given
    assert "Current answer: In Chiyoda City" in chat.all_text
    await chat.command("mydata")  # the draft's answers, by their titles
    text = chat.all_text
    assert "Where the family lives" in text and "Where you live" not in text
    assert "We live" not in text
