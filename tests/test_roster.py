"""The roster of coordinators and staff: kept in the database by staff; the environment only
adds people the roster never had."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.services import seed_roster
from flows.records import RosterMember
from storage.database import Database
from tests.desk_world import GROUP, ROSTER, STAFF, A, World, send_request
from tests.fakes import tg

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_environment_seed_is_parsed_and_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_COORDINATORS", "111:kodomo_hattatsu, 222")
    monkeypatch.setenv("TSUNAGU_STAFF", "222,333")
    seed = {m.user_id: m for m in load_settings().roster_seed()}
    assert seed[tg(111)] == RosterMember(user_id=tg(111), office="kodomo_hattatsu",
                                         coordinator=True)
    assert seed[tg(222)].coordinator and seed[tg(222)].staff
    assert seed[tg(333)].staff and not seed[tg(333)].coordinator


@pytest.mark.parametrize("value", ["abc", "111:", "111:Bad Office", "111;222"])
def test_malformed_seed_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TSUNAGU_COORDINATORS", value)
    with pytest.raises(ConfigError, match=r"^TSUNAGU_COORDINATORS:"):
        load_settings()


async def test_seeding_adds_only_people_the_roster_never_had(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "r.db")
    async with db.transaction() as tx:
        await tx.roster.put(
            RosterMember(user_id=tg(1), display_name="山田", office="jido_katei", coordinator=True,
                         supervisor=True), NOW)
        await tx.roster.put(RosterMember(user_id=tg(4), coordinator=True), NOW)
        await tx.roster.deactivate(tg(4), NOW)
        seeded = await tx.roster.seed([RosterMember(user_id=tg(1), office="kodomo_hattatsu",
                                                    staff=True),
                                       RosterMember(user_id=tg(2), coordinator=True),
                                       RosterMember(user_id=tg(4), coordinator=True)], NOW)
        first = await tx.roster.get(tg(1))
        second = await tx.roster.get(tg(2))
        stranger = await tx.roster.get(tg(3))
        removed = await tx.roster.get(tg(4))
        members = await tx.roster.members()
    await db.close()
    # What staff keep is not touched: no role, office or re-activation from the environment.
    assert first == RosterMember(user_id=tg(1), display_name="山田", office="jido_katei",
                                 coordinator=True, supervisor=True)
    assert second is not None and second.coordinator and not second.staff
    assert stranger is None
    assert removed is None
    assert [m.user_id for m in members] == [tg(1), tg(2)]
    assert (seeded.added, seeded.other_roles, seeded.left_off) == ([tg(2)], 1, 1)


async def test_a_removal_by_staff_survives_a_restart_with_the_id_still_seeded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """/roster remove holds although TSUNAGU_COORDINATORS still names the coordinator."""
    world = await World.open(tmp_path, locale="en")
    try:
        await send_request(world.parent)
        [notice] = world.to(GROUP, await world.deliver())
        a = world.private(A)
        await a.command("start")
        await world.group(A).press(notice.button("v1:dk:c"), notice)
        await world.deliver()
        await a.command("ticket", "K-0001")
        assert "Hanako Chiyoda" in a.said  # they could read it until now

        staff = world.private(STAFF)
        await staff.command("roster", f"remove {A}")
        assert f"{A} is off the roster" in staff.said

        # A new process, seeded from the same environment as at the first start.
        await world.restart()
        with caplog.at_level(logging.INFO, logger="bot.services"):
            await seed_roster(world.services.db, ROSTER, world.clock.now())
        assert str(A) not in caplog.text and "Aoki" not in caplog.text
        assert "1 person(s) named in TSUNAGU_COORDINATORS/TSUNAGU_STAFF were taken off" \
            in caplog.text

        a = world.private(A)  # the new process's chat
        await a.command("ticket", "K-0001")
        assert "only for the desk's coordinators" in a.said and "Hanako" not in a.said
        await a.command("queue")
        assert "only for the desk's coordinators" in a.said
        group_a = world.group(A)
        await group_a.press(notice.button("v1:dk:d"), notice)
        assert group_a.toast == "Sorry, this is only for the desk's coordinators."
        assert world.to(A, await world.deliver()) == []

        audit = await world.rows("SELECT actor, action, subject FROM audit ORDER BY id")
        rows = [(r["actor"], r["action"], r["subject"]) for r in audit]
        assert (tg(STAFF), "roster.remove", tg(A)) in rows
        assert [r for r in rows if r[0] == "environment"] == [], "nobody was new"
        assert rows[-3:] == [(tg(A), "denied", "/ticket"), (tg(A), "denied", "/queue"),
                             (tg(A), "denied", "button:dk")]
        [row] = await world.rows("SELECT active FROM roster WHERE user_id = ?", tg(A))
        assert row["active"] == 0

        # Staff add them back: that, and only that, lets them in again.
        await staff.command("roster", f"add {A} jido_katei")
        await a.command("ticket", "K-0001")
        assert "Hanako Chiyoda" in a.said
    finally:
        await world.close()


async def test_people_added_from_the_environment_are_audited(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "r.db")
    try:
        await seed_roster(db, [RosterMember(user_id=tg(7), coordinator=True)], NOW)
        await seed_roster(db, [RosterMember(user_id=tg(7), coordinator=True)], NOW)  # a restart
        async with db.transaction() as tx, tx.conn.execute(
            "SELECT actor, action, subject FROM audit"
        ) as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
    finally:
        await db.close()
    assert rows == [("environment", "roster.seed", "telegram:7")]


async def test_unknown_office_in_the_seed_stops_the_start(tmp_path: Path) -> None:
    from bot.services import Services
    from content.loader import DEFAULT_CONTENT_DIR

    with pytest.raises(ConfigError, match="unknown office 'nowhere'"):
        await Services.start(tmp_path / "x.db", DEFAULT_CONTENT_DIR,
                             [RosterMember(user_id=tg(5), office="nowhere", coordinator=True)])
