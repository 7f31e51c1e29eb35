"""Sharing a request with a related department, only with the family's consent; partners
passing families on; what the family then sees in /mydata (a desk on SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from flows.desk.sharing import sharing_consent
from flows.records import RecordedConsent, RosterMember
from flows.text import to_plain
from storage.migrate import available, migrate
from tests.desk_world import GROUP, PARENT, SUPERVISOR, A, B, World, make_ticket, send_request
from tests.fakes import FixedClock, tg

NOW = FixedClock().now()
NURSE, NURSE2, WELFARE, SILENT = 2001, 2002, 2003, 2004
PARTNERS = [
    RosterMember(user_id=tg(NURSE), display_name="Nurse Ito", partner=True, department="hokenjo"),
    RosterMember(user_id=tg(NURSE2), display_name="Nurse Ueda", partner=True,
                 department="hokenjo"),
    RosterMember(user_id=tg(WELFARE), display_name="Kato", partner=True,
                 department="shogai_fukushi"),
    # On the roster, but has never written to the bot: nothing can reach them.
    RosterMember(user_id=tg(SILENT), display_name="Mori", partner=True, department="hokenjo"),
]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await World.open(tmp_path, locale="en")
    async with world.services.db.transaction() as tx:
        for member in PARTNERS:
            await tx.roster.put(member, NOW)
            if member.user_id != tg(SILENT):
                await tx.roster.note_private_chat(member.user_id, NOW)
    yield world
    await world.close()


async def _held_request(world: World) -> str:
    """The family's request (they ticked sharing), taken by coordinator A."""
    await send_request(world.parent)
    await world.deliver()
    await world.private(A).command("claim", "K-0001")
    await world.deliver()
    return "K-0001"


async def _outbox(world: World, kind: str) -> list[dict[str, object]]:
    return await world.rows("SELECT * FROM outbox WHERE kind = ?", kind)


async def test_the_summary_reaches_the_departments_partners_and_only_them(world: World) -> None:
    reference = await _held_request(world)
    when = world.clock.now()
    said = await world.private(A).command("share", f"{reference} hokenjo")
    assert "on its way" in to_plain(said.replies[0].text)
    sent = await world.deliver()
    assert sorted(s.chat_id for s in sent) == [NURSE, NURSE2]
    for message in sent:
        assert "K-0001" in message.text and "Hanako Chiyoda" in message.text
        assert "090-1234-5678" in message.text and "Aoki" in message.text
    # Nothing in the group, nothing to the other department or to the silent partner.
    assert not world.to(GROUP, sent) and not world.to(WELFARE, sent)
    [share] = await world.rows("SELECT * FROM shares")
    assert (share["department"], share["actor"], share["recipients"]) == ("hokenjo", tg(A), 2)
    assert share["at"] == when.isoformat()
    actions = [(r["actor"], r["action"], r["subject"], r["detail"])
               for r in await world.rows("SELECT * FROM audit WHERE action LIKE 'ticket.share%'")]
    assert (tg(A), "ticket.share", reference, "hokenjo") in actions
    delivered = {a[3] for a in actions if a[1] == "ticket.share.delivered"}
    assert delivered == {f"hokenjo to {tg(NURSE)}", f"hokenjo to {tg(NURSE2)}"}


async def test_without_the_sharing_choice_nothing_is_sent(world: World) -> None:
    reference = await make_ticket(world)  # the family agreed to item 1 only
    await world.deliver()
    await world.private(A).command("claim", reference)
    said = await world.private(A).command("share", f"{reference} hokenjo")
    text = to_plain(said.replies[0].text)
    assert "cannot be shared" in text and "does not include sharing" in text
    assert "Nothing was sent" in text
    assert await _outbox(world, "ticket_shared") == []
    assert await world.rows("SELECT * FROM shares") == []
    [refused] = await world.rows("SELECT * FROM audit WHERE action = 'share.refused'")
    assert (refused["actor"], refused["subject"]) == (tg(A), reference)
    assert not [s for s in await world.deliver() if s.chat_id in (NURSE, NURSE2)]


async def test_a_later_decision_without_sharing_stops_it(world: World) -> None:
    reference = await _held_request(world)
    # The same family makes a second request, this time agreeing to item 1 only: their
    # latest decision is what counts.
    for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:ok"):
        await world.parent.press(data)
    said = await world.private(A).command("share", f"{reference} hokenjo")
    assert "does not include sharing" in to_plain(said.replies[0].text)
    assert await _outbox(world, "ticket_shared") == []


def _consent(decision: str, share: bool, id: int = 1) -> RecordedConsent:
    return RecordedConsent.model_validate({
        "id": id, "subject": "s", "at": NOW, "decision": decision, "locale": "ja",
        "text_version": "2", "text_hash": "h" * 64, "use_for_request": decision == "granted",
        "share_with_departments": share, "age_information": False, "writer": "guardian",
        "guardian_confirmed": False})


def test_only_the_latest_decision_counts() -> None:
    granted = _consent("granted", True)
    assert sharing_consent([granted]) == granted
    assert sharing_consent([]) is None
    assert sharing_consent([granted, _consent("withdrawn", False, 2)]) is None
    assert sharing_consent([granted, _consent("declined", False, 2)]) is None
    assert sharing_consent([granted, _consent("granted", False, 2)]) is None
    assert sharing_consent([_consent("granted", False), _consent("granted", True, 2)])
    # Stopping the messages for the child's age withdraws that purpose alone.
    stop = _consent("withdrawn", True, 3).model_copy(update={"purpose": "age_information"})
    assert sharing_consent([granted, stop]) == granted


async def test_a_department_without_partners_is_refused_with_the_list(world: World) -> None:
    reference = await _held_request(world)
    said = await world.private(A).command("share", f"{reference} hattatsu_center")
    text = to_plain("\n".join(r.text for r in said.replies))
    assert "not a department with partners" in text and "Nothing was sent" in text
    assert "hokenjo (health center)" in text
    assert "shogai_fukushi (disability welfare division)" in text
    assert "hattatsu_center" not in text.split("Departments with partners:")[1]
    said = await world.private(A).command("share", reference)
    assert "With which department?" in to_plain(said.replies[0].text)
    assert await _outbox(world, "ticket_shared") == []


async def test_a_department_can_be_named_in_japanese(world: World) -> None:
    reference = await _held_request(world)
    await world.private(A).command("share", f"{reference} 障害者福祉課")
    assert [s.chat_id for s in await world.deliver()] == [WELFARE]


async def test_only_the_holder_or_a_supervisor_shares(world: World) -> None:
    reference = await _held_request(world)
    said = await world.private(B).command("share", f"{reference} hokenjo")
    assert "Only the coordinator holding" in to_plain(said.replies[0].text)
    assert await _outbox(world, "ticket_shared") == []
    await world.private(SUPERVISOR).command("share", f"{reference} hokenjo")
    [share] = await world.rows("SELECT actor FROM shares")
    assert share["actor"] == tg(SUPERVISOR)


async def test_partners_and_strangers_cannot_share(world: World) -> None:
    reference = await _held_request(world)
    said = await world.private(NURSE).command("share", f"{reference} hokenjo")
    assert "only for the desk's coordinators" in to_plain(said.replies[0].text)
    assert await _outbox(world, "ticket_shared") == []


async def test_nobody_reachable_in_the_department_means_nothing_is_sent(world: World) -> None:
    reference = await _held_request(world)
    async with world.services.db.transaction() as tx:
        await tx.roster.deactivate(tg(NURSE), NOW)
        await tx.roster.deactivate(tg(NURSE2), NOW)
    said = await world.private(A).command("share", f"{reference} hokenjo")
    assert "has opened a private chat" in to_plain(said.replies[0].text)
    assert await world.rows("SELECT * FROM shares") == []


async def test_a_withdrawal_before_sending_stops_the_summary(world: World) -> None:
    reference = await _held_request(world)
    await world.private(A).command("share", f"{reference} hokenjo")
    await world.parent.command("withdraw")
    await world.parent.press("v1:wd:yes")
    sent = await world.deliver()
    assert not [s for s in sent if s.chat_id in (NURSE, NURSE2)]


async def test_mydata_lists_the_shares_and_the_familys_messages(world: World) -> None:
    reference = await _held_request(world)
    await world.parent.text("Also, we are moving next month.")
    world.clock.advance(hours=1)
    await world.private(A).command("share", f"{reference} hokenjo")
    await world.deliver()
    said = await world.parent.command("mydata")
    text = to_plain("\n".join(r.text for r in said.replies))
    assert "Shared with related departments" in text
    assert f"request {reference}, to health center" in text
    assert "Your messages on request K-0001" in text
    assert "Also, we are moving next month." in text
    # Before anything is shared there is no such section.
    other = world.private(PARENT + 1)
    said = await other.command("mydata")
    assert "Shared with" not in to_plain("\n".join(r.text for r in said.replies))


async def test_a_partner_passes_a_family_on_and_the_request_says_so(world: World) -> None:
    nurse = world.private(NURSE)
    for data in ("v1:req", "v1:cs:role:pro", "v1:cs:t:intake", "v1:cs:t:confirm", "v1:cs:ok",
                 "v1:in:residence:v:chiyoda"):
        await nurse.press(data)
    await nurse.text("3")
    for data in ("v1:in:care:t:trach", "v1:in:care:done", "v1:in:situation:v:home",
                 "v1:in:support:v:none", "v1:in:needs:t:talk", "v1:in:needs:done"):
        await nurse.press(data)
    await nurse.text("Met the family at the 4-month check")
    await nurse.press("v1:in:contact:v:phone")
    await nurse.text("090-2222-3333")
    await nurse.press("v1:in:phone_times:skip")
    await nurse.text("Taro Kanda")
    await nurse.text("Ito, Chiyoda health center")  # the writer's name and organisation
    said = await nurse.press("v1:in:summary:send")
    assert "Reference K-0001" in to_plain("\n".join(r.text for r in said.replies))
    [ticket] = await world.rows("SELECT referred_by FROM tickets")
    assert ticket["referred_by"] == "hokenjo"
    [audit] = await world.rows("SELECT * FROM audit WHERE action = 'ticket.referral'")
    assert (audit["actor"], audit["subject"], audit["detail"]) == (tg(NURSE), "K-0001",
                                                                   "hokenjo")
    await world.deliver()
    await world.private(A).command("claim", "K-0001")
    details = [s for s in await world.deliver() if s.chat_id == A]
    assert any("Passed on by a partner at health center" in s.text for s in details)


async def test_a_family_writing_itself_is_no_referral(world: World) -> None:
    await send_request(world.parent)
    [ticket] = await world.rows("SELECT referred_by FROM tickets")
    assert ticket["referred_by"] is None
    assert await world.rows("SELECT * FROM audit WHERE action = 'ticket.referral'") == []


async def test_the_migration_keeps_todays_roster(tmp_path: Path) -> None:
    before = next(m.version for m in available() if m.name.endswith("_partners_sharing.sql")) - 1
    async with aiosqlite.connect(tmp_path / "m.db", isolation_level=None) as conn:
        await migrate(conn, upto=before)
        await conn.execute(
            "INSERT INTO roster (user_id, display_name, office, is_coordinator, is_supervisor,"
            " updated_at) VALUES (7, 'Aoki', 'jido_katei', 1, 1, ?)", (NOW.isoformat(),))
        await migrate(conn)
        conn.row_factory = aiosqlite.Row
        async with conn.execute("SELECT * FROM roster") as cur:
            [row] = [dict(r) for r in await cur.fetchall()]
    assert (row["display_name"], row["office"], row["is_coordinator"], row["is_supervisor"],
            row["active"]) == ("Aoki", "jido_katei", 1, 1, 1)
    assert (row["is_partner"], row["department"]) == (0, None)


async def test_the_partner_reads_the_summary_in_the_desks_language(tmp_path: Path) -> None:
    world = await World.open(tmp_path)  # the desk's own language: Japanese
    try:
        async with world.services.db.transaction() as tx:
            await tx.roster.put(PARTNERS[2], NOW)
            await tx.roster.note_private_chat(tg(WELFARE), NOW)
        reference = await _held_request(world)
        said = await world.private(A).command("share", f"{reference} shogai_fukushi")
        assert "障害者福祉課（1人）に送ります" in to_plain(said.replies[0].text)
        [summary] = await world.deliver()
        assert summary.chat_id == WELFARE
        assert "ご家族の同意にもとづき" in summary.text and "Hanako Chiyoda" in summary.text
    finally:
        await world.close()
