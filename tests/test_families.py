"""/families: the coordinators' whole picture of the families the desk knows, by office."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.ports import NextMilestone
from flows.records import (
    ConsentDecision,
    DeskTicket,
    NewTicket,
    RosterMember,
    UpcomingMilestone,
)
from flows.text import to_plain
from flows.tickets import format_reference
from tests.desk_world import GROUP, SUPERVISOR, A, B, World
from tests.fakes import tg
from tests.intake_fakes import services_on


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await World.open(tmp_path, locale="en")
    yield world
    await world.close()


async def _family(world: World, subject: str, *, office: str = "jido_katei", years: int = 1,
                  care: tuple[str, ...] = ("vent",), name: str = "Secret Name",
                  at: datetime | None = None) -> str:
    """A ticket written the way the intake writes it, with its consent."""
    now = at or world.clock.now()
    async with world.services.db.transaction() as tx:
        number = await tx.tickets.next_number()
        consent = await tx.consents.append(ConsentDecision(
            subject=subject, at=now, decision="granted", locale="en", text_version="2",
            text_hash="h" * 64, use_for_request=True, share_with_departments=True,
            age_information=True, writer="guardian", guardian_confirmed=False))
        await tx.tickets.create(NewTicket(
            number=number, reference=format_reference(number), created_at=now, office=office,
            priority="normal", subject=subject, channel="telegram", chat_id=tg(number),
            locale="en", consent_id=consent, share_with_departments=True,
            answers={"age": {"kind": "age", "years": years, "months": 0}, "care": list(care),
                     "needs": ["talk"], "name": name}))
    return format_reference(number)


async def _withdraw_consent(world: World, subject: str) -> None:
    async with world.services.db.transaction() as tx:
        await tx.consents.append(ConsentDecision(
            subject=subject, at=world.clock.now(), decision="withdrawn", locale="en",
            text_version="2", text_hash="h" * 64, use_for_request=False,
            share_with_departments=False, age_information=False, writer="guardian",
            guardian_confirmed=False))


async def _said(world: World, user_id: int, args: str = "") -> str:
    outcome = await world.private(user_id).command("families", args)
    return to_plain("\n".join(r.text for r in outcome.replies))


async def _picture(world: World) -> None:
    await _family(world, "s1", years=1, care=("vent", "suction"))
    await _family(world, "s2", years=4, care=("trach",))
    await _family(world, "s3", office="kodomo_hattatsu", years=7, care=("vent",))
    await _family(world, "s4", years=4, care=("oxygen",))
    await _withdraw_consent(world, "s4")  # no longer a family the desk may look at


async def test_a_coordinator_sees_the_families_of_their_office(world: World) -> None:
    await _picture(world)
    text = await _said(world, A)
    assert "Families known to the desk (Children and Family Support Center): 2" in text
    assert "Age: 1–2 years 1 · 3–5 years (preschool) 1" in text
    assert "Care: Ventilator 1 · Suction 1 · Tracheostomy 1" in text
    assert "Office: Children and Family Support Center 2" in text
    assert "Status: waiting for a coordinator 2" in text
    assert "K-0001" in text and "K-0002" in text
    assert "K-0003" not in text and "K-0004" not in text
    assert "Secret Name" not in text


async def test_a_supervisor_sees_every_office(world: World) -> None:
    await _picture(world)
    text = await _said(world, SUPERVISOR)
    assert "Families known to the desk (every office): 3" in text
    assert "Care: Ventilator 2 · Suction 1 · Tracheostomy 1" in text
    assert "6–11 years (primary school age) 1" in text
    assert "Office: Children and Family Support Center 2 · Child Development Center 1" in text
    assert "K-0003" in text and "K-0004" not in text


async def test_a_coordinator_without_an_office_is_told_so(world: World) -> None:
    await _picture(world)
    text = await _said(world, B)
    assert "names no office" in text and "K-0001" not in text


async def test_one_family_counts_once_with_its_latest_request(world: World) -> None:
    await _family(world, "s1", years=1)
    world.clock.advance(days=30)
    await _family(world, "s1", years=2, care=("trach",))
    text = await _said(world, A)
    assert "Families known to the desk (Children and Family Support Center): 1" in text
    assert "Care: Tracheostomy 1" in text and "K-0002" in text


async def test_last_contact_and_no_milestone_without_a_schedule(world: World) -> None:
    reference = await _family(world, "s1")
    world.clock.advance(days=3)
    async with world.services.db.transaction() as tx:
        ticket = await tx.desk.by_reference(reference)
        assert ticket is not None
        await tx.desk.add_entry(ticket.id, "family", "hello", world.clock.now())
        await tx.desk.add_entry(ticket.id, "note", "internal", world.clock.now()
                                + timedelta(days=2))
    text = await _said(world, A)
    # The family's message counts as contact; a note among coordinators does not.
    assert "last contact Fri, Nov 27, 2026 · next: —" in text


@dataclasses.dataclass
class FakeSchedule(NextMilestone):
    seen: list[str] = dataclasses.field(default_factory=list)

    def next_for(self, ticket: DeskTicket, now: datetime, locale: Any) -> UpcomingMilestone | None:
        self.seen.append(ticket.reference)
        if ticket.reference != "K-0001":
            return None
        return UpcomingMilestone(day=date(2027, 1, 15), title=f"Nursery applications ({locale})")


async def test_the_next_milestone_comes_from_the_schedule(world: World) -> None:
    await _family(world, "s1")
    await _family(world, "s2")
    schedule = FakeSchedule()
    deps = dataclasses.replace(world.services.engine.deps, milestones=schedule)
    world.services = services_on(world.services.db, deps)
    text = await _said(world, A)
    assert "next: Fri, Jan 15, 2027 Nursery applications (en)" in text
    assert "K-0002" in text and text.count("next: —") == 1
    assert sorted(set(schedule.seen)) == ["K-0001", "K-0002"]


async def test_opening_a_family_is_audited_and_scoped(world: World) -> None:
    await _picture(world)
    text = await _said(world, A, "K-0001")
    assert "Family of K-0001" in text and "Secret Name" in text
    assert "sharing with related departments: yes" in text
    [row] = await world.rows("SELECT * FROM audit WHERE action = 'family.read'")
    assert (row["actor"], row["subject"]) == (tg(A), "K-0001")
    for other in ("K-0003", "K-0004", "K-0099"):
        text = await _said(world, A, other)
        assert "not among the families you can see" in text and "Secret Name" not in text
    assert len(await world.rows("SELECT * FROM audit WHERE action = 'family.read'")) == 1
    assert "Family of K-0003" in await _said(world, SUPERVISOR, "K-0003")


async def test_families_is_for_private_chats_and_coordinators(world: World) -> None:
    await _picture(world)
    outcome = await world.group(A).command("families")
    text = to_plain("\n".join(r.text for r in outcome.replies))
    assert "works only in a private chat" in text and "K-0001" not in text
    async with world.services.db.transaction() as tx:
        await tx.roster.put(RosterMember(user_id=tg(2001), partner=True, department="hokenjo"),
                            world.clock.now())
    for user_id in (2001, 4242):
        text = await _said(world, user_id)
        assert "only for the desk's coordinators" in text and "K-0001" not in text
    assert GROUP < 0


async def test_a_professionals_requests_are_families_of_their_own(world: World) -> None:
    for years in (1, 4):
        reference = await _family(world, "pro", years=years)
        async with world.services.db.transaction() as tx:
            await tx.conn.execute(
                "UPDATE ticket_details SET answers = json_set(answers, '$.writer',"
                " 'professional') WHERE ticket_id = (SELECT id FROM tickets WHERE"
                " reference = ?)", (reference,))
    await _family(world, "parent", years=7)
    await _family(world, "parent", years=7)
    text = await _said(world, A)
    assert "Families known to the desk (Children and Family Support Center): 3" in text
    assert "K-0001" in text and "K-0002" in text and "K-0004" in text
