"""Tickets: routing, priority, the reference, the confirmation with the desk's hours, /mydata."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from content.intake_models import RoutingFile, RoutingRule
from content.models import Office
from flows.engine import Engine
from flows.intake.answers import IntakeAnswers
from flows.tickets import format_reference, priority, route
from tests.fakes import Chat, FixedClock
from tests.intake_fakes import (
    memory_chat,
    request_content,
    request_deps,
    with_confirmed_hours,
)

TODAY = date(2026, 11, 24)


def answers(**changes: object) -> IntakeAnswers:
    base: dict[str, object] = {
        "writer": "guardian", "residence": "chiyoda",
        "age": {"kind": "age", "years": 1, "months": 0}, "care": ["vent"],
        "situation": "home", "support": "some", "needs": ["talk"], "contact": "chat",
        "name": "千代田 花子",
    }
    base.update(changes)
    return IntakeAnswers.model_validate(base)


def test_references_are_short_and_padded() -> None:
    assert format_reference(42) == "K-0042"
    assert format_reference(12345) == "K-12345"


def test_routing_follows_the_staff_rules() -> None:
    routing = request_content().routing
    assert route(["service_plan", "talk"], routing) == "kodomo_hattatsu"
    assert route(["respite"], routing) == "jido_katei"
    edited = RoutingFile(
        rules=[RoutingRule(needs_any=["school", "nursery"], office="jido_katei"),
               RoutingRule(needs_any=["respite"], office="yorozu_light")],
        default_office="kodomo_hattatsu",
    )
    assert route(["respite", "school"], edited) == "jido_katei"  # the first rule wins
    assert route(["respite"], edited) == "yorozu_light"
    assert route(["talk"], edited) == "kodomo_hattatsu"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"situation": "hospital", "support": None, "discharge": {"day": "2026-12-08"}}, "high"),
        ({"situation": "hospital", "support": None, "discharge": {"day": "2026-12-09"}},
         "normal"),
        ({"situation": "hospital", "support": None, "discharge": {"undecided": True}},
         "normal"),
        ({"situation": "home", "support": "none"}, "high"),
        ({"situation": "home", "support": "unsure"}, "normal"),
        ({"situation": "other", "support": None, "situation_other": "…"}, "normal"),
    ],
)
def test_priority(changes: dict[str, object], expected: str) -> None:
    assert priority(answers(**changes), request_content().routing, TODAY) == expected


async def send_request(chat: Chat) -> None:
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:home")
    await chat.press("v1:in:support:v:some")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.text("Night <suction> is hard")
    await chat.press("v1:in:contact:v:visit")
    await chat.text("Hanako Chiyoda")
    await chat.press("v1:in:summary:send")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 24, 1, 0, tzinfo=UTC), "The desk is open now"),  # Tue 10:00
        # Fri 27 Nov 19:00 in Tokyo: next open Monday morning.
        (datetime(2026, 11, 27, 10, 0, tzinfo=UTC), "Mon, Nov 30, 2026, 9:00 AM"),
        # Sunday 22 Nov, before the Labour Thanksgiving holiday on Monday 23.
        (datetime(2026, 11, 22, 3, 0, tzinfo=UTC), "Tue, Nov 24, 2026, 9:00 AM"),
        # New Year's Eve: the break runs to 3 January.
        (datetime(2026, 12, 31, 3, 0, tzinfo=UTC), "Mon, Jan 4, 2027, 9:00 AM"),
    ],
)
async def test_the_confirmation_says_when_the_desk_is_next_open(
    moment: datetime, expected: str
) -> None:
    content = with_confirmed_hours(request_content())
    chat = memory_chat(Engine(request_deps(clock=FixedClock(moment), content=content)),
                       language_code="en")
    await send_request(chat)
    text = chat.all_text
    assert "Reference K-0001" in text and expected in text
    assert "arrange a meeting" in text
    assert "/mydata" in text and "/withdraw" in text
    if "open now" not in expected:
        assert "The desk is closed now" in text


async def test_the_confirmation_in_japanese_dates() -> None:
    moment = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    content = with_confirmed_hours(request_content())
    chat = memory_chat(Engine(request_deps(clock=FixedClock(moment), content=content)),
                       language_code="ja")
    await send_request(chat)
    assert "受付番号 K-0001" in chat.all_text
    assert "2026年11月30日(月) 9:00" in chat.all_text


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 24, 1, 0, tzinfo=UTC),  # Tue 10:00 in Tokyo
    datetime(2026, 11, 27, 10, 0, tzinfo=UTC),  # Fri 19:00
])
async def test_unconfirmed_hours_and_phones_make_one_true_statement(moment: datetime) -> None:
    # The shipped routing.yaml has reviewed: false and the offices' phones are 【要確認】.
    chat = memory_chat(Engine(request_deps(clock=FixedClock(moment))), language_code="ja")
    await send_request(chat)
    text = chat.all_text
    assert "コーディネーターから開庁日にご連絡します（窓口の受付時間は、いま確認中です）。" in text
    for said in ("受付時間内です", "受付時間外です", "09:00", "お電話"):
        assert said not in text, said
    assert "受付番号は控えておき、コーディネーターに連絡するときにお伝えください。" in text


async def test_a_confirmed_phone_number_is_given_with_the_reference() -> None:
    base = request_content()
    offices = [o.model_copy(update={"phone": "03-5211-0000"}) if o.id == "jido_katei" else o
               for o in base.offices.offices]
    assert all(isinstance(o, Office) for o in offices)
    content = with_confirmed_hours(base)
    content = dataclasses.replace(
        content, offices=base.offices.model_copy(update={"offices": offices}))
    chat = memory_chat(Engine(request_deps(content=content)), language_code="en")
    await send_request(chat)
    assert ("you can quote it when you phone Children and Family Support Center at"
            " 03-5211-0000.") in chat.all_text
    assert "still being confirmed" not in chat.all_text


async def test_mydata_shows_consent_draft_and_tickets_escaped() -> None:
    chat = memory_chat(Engine(request_deps()), language_code="en")
    await chat.command("mydata")
    assert "No consent, request or answers of yours are stored" in chat.all_text
    await send_request(chat)
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:no")  # a second request, declined
    await chat.command("mydata")
    text = chat.all_text
    version = request_content().consent["en"].version
    assert f"you agreed (text version {version})" in text and "you did not agree" in text
    assert "<b>Request K-0001</b>" in text and "received, waiting for a coordinator" in text
    assert "Night &lt;suction&gt; is hard" in text and "<suction>" not in text
    assert "Hanako Chiyoda" in text and "Meet in person" in text


async def test_mydata_in_the_middle_of_a_question_asks_it_again() -> None:
    chat = memory_chat(Engine(request_deps()), language_code="en")
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.command("mydata")
    text = chat.all_text
    assert "Unfinished request" in text and "In Chiyoda City" in text
    assert chat.last is not None
    assert text.rstrip().endswith(chat.last.replies[-1].text.rstrip())
    assert "How old is the child" in chat.last.replies[-1].text
    assert chat.session.state == "intake:age"
