"""Information for the child's age as a family lives it, on a virtual clock: they agree,
days pass, the right milestones arrive once and in desk hours; the stop button; /withdraw;
no consent, nothing. The real engine, SQLite file, outbox worker and a recording bot."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.milestone_timer import milestones_once
from content.base import in_tokyo
from content.loader import DEFAULT_CONTENT_DIR
from content.milestone_models import MilestonesFile
from flows.milestones.sending import milestones_sent
from flows.milestones.upcoming import MilestoneSchedule
from flows.tickets import consent_in_force
from tests.desk_world import PARENT, Person, Sent, World
from tests.fakes import FixedClock, fake_source

# 1 December 2026, 10:00 in Tokyo: a Tuesday, the desk open.
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await World.open(tmp_path, clock=FixedClock(START))
    source = fake_source(world.services.engine.deps)
    text = (DEFAULT_CONTENT_DIR / "milestones.yaml").read_text("utf-8")
    milestones = MilestonesFile.model_validate(yaml.safe_load(text)).milestones
    source.content = dataclasses.replace(source.content, milestones=tuple(milestones))
    yield world
    await world.close()


async def request(person: Person, *, age: str, info: bool = True,
                  birth_month: str | None = None) -> None:
    ticks = ["v1:cs:t:intake"] + (["v1:cs:t:info"] if info else [])
    for data in ("v1:req", "v1:cs:role:guardian", *ticks, "v1:cs:ok",
                 "v1:in:residence:v:chiyoda"):
        await person.press(data)
    await person.text(age)
    if birth_month is not None:
        await person.text(birth_month)
    for data in ("v1:in:care:t:vent", "v1:in:care:done", "v1:in:situation:v:home",
                 "v1:in:support:v:some", "v1:in:needs:t:talk", "v1:in:needs:done",
                 "v1:in:note:skip", "v1:in:contact:v:chat"):
        await person.press(data)
    await person.text("Hanako Chiyoda")
    await person.press("v1:in:summary:send")
    assert "K-0001" in person.said


async def live(world: World, days: int) -> list[Sent]:
    """Let ``days`` days pass; the job runs at 10:00 and at 22:00 every day (the driver runs
    it every quarter of an hour: these two moments stand for day and night)."""
    received: list[Sent] = []
    start = world.clock.now()
    for day in range(days):
        for hours in (0, 12):
            world.clock.moment = start + timedelta(days=day, hours=hours)
            await milestones_once(world.services)
            received += world.to(PARENT, await world.deliver())
    return received


def stop_button(sent: Sent) -> str:
    return sent.button("v1:ms:stop")


async def test_a_family_receives_each_due_milestone_once_in_desk_hours(world: World) -> None:
    # Born July 2026: the handbooks (4 months, 1 November) are recent, the 3-month one of
    # 1 October is too old to send now; equipment and aids (6 months) fall on 1 January, a
    # holiday, so they come on Monday 4 January.
    await request(world.parent, age="2026年7月")
    received = await live(world, 45)
    assert [s.text.splitlines()[0] for s in received] == [
        "📅 Disability handbooks", "📅 Care equipment and aids"]
    rows = await world.rows("SELECT milestone_id, at FROM milestones_sent ORDER BY at")
    assert [r["milestone_id"] for r in rows] == ["handbooks", "daily_equipment"]
    for row in rows:
        local = in_tokyo(datetime.fromisoformat(row["at"]))
        assert local.hour == 10 and local.weekday() < 5
    assert in_tokyo(datetime.fromisoformat(rows[1]["at"])).date().isoformat() == "2027-01-04"
    first = received[0]
    assert "【要確認】" in first.text and "press the button below" in first.text
    assert stop_button(first) == "v1:ms:stop"
    # Another run the same day, and a restart, send nothing again.
    await world.restart()
    assert await milestones_once(world.services) == 0
    assert world.to(PARENT, await world.deliver()) == []


async def test_nothing_at_night_or_on_a_weekend(world: World) -> None:
    await request(world.parent, age="2026年8月")
    world.clock.moment = START + timedelta(hours=12)  # 22:00 in Tokyo
    assert await milestones_once(world.services) == 0
    world.clock.moment = START + timedelta(days=4)  # Saturday, 10:00
    assert await milestones_once(world.services) == 0
    world.clock.moment = START + timedelta(days=6)  # Monday, 10:00
    assert await milestones_once(world.services) == 1


async def test_an_age_in_years_asks_for_the_month_of_birth_politely(world: World) -> None:
    parent = world.parent
    for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:t:info",
                 "v1:cs:ok", "v1:in:residence:v:chiyoda"):
        await parent.press(data)
    await parent.text("4 months")
    assert "which month was the child born" in parent.said
    await parent.text("2030-01")
    assert "has not come yet" in parent.said and "which month" in parent.said
    await parent.text("2024-07")
    assert "does not match the age" in parent.said
    await parent.text("soon")
    assert "could not read that as a month" in parent.said
    await parent.text("July 2026")
    assert "Which medical care" in parent.said
    for data in ("v1:in:care:t:vent", "v1:in:care:done", "v1:in:situation:v:home",
                 "v1:in:support:v:some", "v1:in:needs:t:talk", "v1:in:needs:done",
                 "v1:in:note:skip", "v1:in:contact:v:chat"):
        await parent.press(data)
    await parent.text("Hanako Chiyoda")
    assert "Child's month of birth: July 2026" in parent.said
    await parent.press("v1:in:summary:send")
    received = await live(world, 1)
    assert [s.text.splitlines()[0] for s in received] == ["📅 Disability handbooks"]


async def test_without_agreeing_to_it_no_question_and_no_message(world: World) -> None:
    parent = world.parent
    await request(parent, age="4 months", info=False)  # no month of birth asked
    rows = await world.rows("SELECT answers FROM ticket_details")
    assert "birth_month" not in rows[0]["answers"]
    assert await live(world, 45) == []
    assert await world.rows("SELECT * FROM milestones_sent") == []


async def test_the_stop_button_withdraws_that_purpose_only(world: World) -> None:
    parent = world.parent
    await request(parent, age="2026年7月")
    [first] = await live(world, 1)
    await parent.press(stop_button(first), first)
    assert "will not receive information for the child's age" in parent.said
    assert parent.toast == "Stopped."
    async with world.services.db.transaction() as tx:
        history = await tx.consents.history(f"telegram:{PARENT}:{PARENT}")
        sent = await milestones_sent(tx.milestones, f"telegram:{PARENT}:{PARENT}")
    assert [(c.decision, c.purpose) for c in history] == [
        ("granted", None), ("withdrawn", "age_information")]
    current = consent_in_force(history)
    assert current is not None and current.use_for_request and not current.age_information
    assert [s.milestone_id for s in sent] == ["handbooks"]
    assert await live(world, 45) == []
    # The request stays: the family still has it, and /mydata says what they stopped.
    await parent.command("mydata")
    assert "you stopped the information for the child's age" in parent.said
    assert "K-0001" in parent.said
    assert "Information for the child's age sent to you" in parent.said
    assert "Disability handbooks" in parent.said
    # Pressing it again changes nothing more.
    await parent.press(stop_button(first), first)
    assert "nothing to stop" in parent.said
    rows = await world.rows("SELECT COUNT(*) AS n FROM consents")
    assert rows[0]["n"] == 2


async def test_a_message_queued_before_the_stop_is_not_sent(world: World) -> None:
    parent = world.parent
    await request(parent, age="2026年7月")
    assert await milestones_once(world.services) == 1
    # The family withdraws everything before the worker gets to it.
    await parent.command("withdraw")
    await parent.press("v1:wd:yes")
    assert world.to(PARENT, await world.deliver()) == []


async def test_withdraw_stops_them_and_deletes_what_was_sent(world: World) -> None:
    parent = world.parent
    await request(parent, age="2026年7月")
    assert len(await live(world, 1)) == 1
    await parent.command("withdraw")
    await parent.press("v1:wd:yes")
    assert "Done." in parent.said
    assert await world.rows("SELECT * FROM milestones_sent") == []
    assert await live(world, 45) == []


async def test_japanese_family_reads_it_in_japanese(world: World) -> None:
    parent = world.parent
    parent.language_code = "ja"
    await request(parent, age="2026年7月")
    [first] = await live(world, 1)
    assert first.text.startswith("📅 身体障害者手帳・愛の手帳")
    assert "このお知らせを止める" in [label for label, _ in first.buttons]


def test_the_question_is_asked_only_of_families_who_agreed_and_gave_years() -> None:
    from flows.intake.steps import AGE_INFORMATION, final_answers, next_step

    years = {"kind": "age", "years": 1, "months": 2}
    old_draft = {"writer": "guardian", "residence": "chiyoda", "age": years,
                 "_done": ["residence", "age"]}
    assert next_step(old_draft, "age") == "care"  # a draft from before the question
    agreed = {**old_draft, AGE_INFORMATION: True}
    assert next_step(agreed, "age") == "birth_month"
    born = {**agreed, "age": {"kind": "born", "month": "2025-09"}}
    assert next_step(born, "age") == "care"  # the month is known already
    kept = final_answers({**agreed, "birth_month": "2025-09"})
    assert kept["birth_month"] == "2025-09" and AGE_INFORMATION not in kept
    assert "birth_month" not in final_answers({**old_draft, "birth_month": "2025-09"})


async def test_the_coordinators_see_the_next_milestone_of_the_schedule(world: World) -> None:
    await request(world.parent, age="2026年7月")
    # The schedule `tsunagu run` gives the engine (bot/services.py), on the content in force.
    schedule = MilestoneSchedule(world.services.engine.deps.content)
    async with world.services.db.transaction() as tx:
        ticket = await tx.desk.by_reference("K-0001")
    assert ticket is not None
    # On 1 December 2026 the next one for a child born in July 2026 is the care equipment
    # of 1 January (6 months); the handbooks of 1 November are past.
    upcoming = schedule.next_for(ticket, START, "en")
    assert upcoming is not None
    assert (upcoming.day.isoformat(), upcoming.title) == ("2027-01-01", "Care equipment and aids")
    # Without a birth month there is nothing to tell.
    assert ticket.details is not None
    bare = ticket.model_copy(update={"details": ticket.details.model_copy(update={"answers": {}})})
    assert schedule.next_for(bare, START, "en") is None
