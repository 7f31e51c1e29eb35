"""Unclaimed tickets: business hours counted with weekends, Japanese public holidays and the
New Year break; one reminder in the group, then the supervisors."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.desk_timers import desk_timers_once
from content.base import TOKYO
from content.intake_models import DeskHours
from flows.desk.timing import business_time
from tests.desk_world import GROUP, SUPERVISOR, World, make_ticket
from tests.fakes import FixedClock

HOURS = DeskHours(opens="09:00", closes="17:00")


def tokyo(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def test_only_open_hours_count() -> None:
    # Tuesday 16:00 to Wednesday 10:00: one hour on Tuesday, one on Wednesday.
    assert business_time(tokyo(2026, 11, 24, 16), tokyo(2026, 11, 25, 10), HOURS) == \
        timedelta(hours=2)
    # Friday evening to Monday morning: nothing.
    assert business_time(tokyo(2026, 11, 27, 18), tokyo(2026, 11, 30, 9), HOURS) == timedelta(0)
    # Over 勤労感謝の日 (Monday 23 November 2026, a public holiday): Friday 16–17, Tuesday 9–12.
    assert business_time(tokyo(2026, 11, 20, 16), tokyo(2026, 11, 24, 12), HOURS) == \
        timedelta(hours=4)
    # The New Year break: from 28 December 16:00 to 5 January 10:00 (1/4 is a Monday in 2027).
    assert business_time(tokyo(2026, 12, 28, 16), tokyo(2027, 1, 5, 10), HOURS) == \
        timedelta(hours=1 + 8 + 1)
    assert business_time(tokyo(2026, 11, 24, 12), tokyo(2026, 11, 24, 11), HOURS) == \
        timedelta(0)


async def test_one_reminder_then_the_supervisors(tmp_path: Path) -> None:
    # Tuesday 24 November 2026, 15:00 in Tokyo.
    clock = FixedClock(tokyo(2026, 11, 24, 15))
    world = await World.open(tmp_path, clock=clock, locale="en")
    try:
        reference = await make_ticket(world)
        await world.deliver()
        await world.private(SUPERVISOR).command("start")

        clock.moment = tokyo(2026, 11, 25, 10, 59)  # 3 h 59 of business time
        assert await desk_timers_once(world.services) == (0, 0)
        clock.moment = tokyo(2026, 11, 25, 11, 0)
        assert await desk_timers_once(world.services) == (1, 0)
        [reminder] = await world.deliver()
        assert reminder.chat_id == GROUP and f"{reference} has waited 4 business hours" in \
            reminder.text
        assert reminder.button("v1:dk:c:1")
        assert await desk_timers_once(world.services) == (0, 0)  # once only

        clock.moment = tokyo(2026, 11, 25, 15, 0)
        assert await desk_timers_once(world.services) == (0, 1)
        [escalation] = await world.deliver()
        assert escalation.chat_id == SUPERVISOR and reference in escalation.text
        assert await desk_timers_once(world.services) == (0, 0)
    finally:
        await world.close()


async def test_a_claimed_ticket_is_never_reminded(tmp_path: Path) -> None:
    clock = FixedClock(tokyo(2026, 11, 24, 9))
    world = await World.open(tmp_path, clock=clock, locale="en")
    try:
        await make_ticket(world)
        [notice] = await world.deliver()
        await world.group(SUPERVISOR).press(notice.button("v1:dk:c"), notice)
        clock.moment = tokyo(2026, 11, 26, 17)
        assert await desk_timers_once(world.services) == (0, 0)
    finally:
        await world.close()


async def test_with_no_supervisor_reachable_the_group_hears_of_the_escalation(
    tmp_path: Path,
) -> None:
    clock = FixedClock(tokyo(2026, 11, 24, 9))
    world = await World.open(tmp_path, clock=clock, locale="en")
    try:
        reference = await make_ticket(world)
        await world.deliver()
        clock.moment = tokyo(2026, 11, 24, 13)
        await desk_timers_once(world.services)
        clock.moment = tokyo(2026, 11, 24, 17)
        await desk_timers_once(world.services)
        world.bot.refusing = {SUPERVISOR}  # never opened a private chat with the bot
        sent = await world.deliver()
        escalations = [s for s in sent if "still has no coordinator" in s.text]
        assert [s.chat_id for s in escalations] == [GROUP]
        assert reference in escalations[0].text
    finally:
        await world.close()
