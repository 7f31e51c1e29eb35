"""The roster of coordinators and staff: kept in the database, seeded from the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from flows.ports import RosterMember
from storage.database import Database

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_environment_seed_is_parsed_and_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_COORDINATORS", "111:kodomo_hattatsu, 222")
    monkeypatch.setenv("TSUNAGU_STAFF", "222,333")
    seed = {m.user_id: m for m in load_settings().roster_seed()}
    assert seed[111] == RosterMember(user_id=111, office="kodomo_hattatsu", coordinator=True)
    assert seed[222].coordinator and seed[222].staff
    assert seed[333].staff and not seed[333].coordinator


@pytest.mark.parametrize("value", ["abc", "111:", "111:Bad Office", "111;222"])
def test_malformed_seed_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TSUNAGU_COORDINATORS", value)
    with pytest.raises(ConfigError, match=r"^TSUNAGU_COORDINATORS:"):
        load_settings()


async def test_seeding_adds_roles_but_keeps_what_staff_edited(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "r.db")
    async with db.transaction() as tx:
        await tx.roster.put(
            RosterMember(user_id=1, display_name="山田", office="jido_katei", coordinator=True,
                         supervisor=True), NOW)
        await tx.roster.seed([RosterMember(user_id=1, office="kodomo_hattatsu", staff=True),
                              RosterMember(user_id=2, coordinator=True)], NOW)
        first = await tx.roster.get(1)
        second = await tx.roster.get(2)
        stranger = await tx.roster.get(3)
        members = await tx.roster.members()
    await db.close()
    assert first == RosterMember(user_id=1, display_name="山田", office="jido_katei",
                                 coordinator=True, staff=True, supervisor=True)
    assert second is not None and second.coordinator and not second.staff
    assert stranger is None
    assert [m.user_id for m in members] == [1, 2]


async def test_unknown_office_in_the_seed_stops_the_start(tmp_path: Path) -> None:
    from bot.services import Services
    from content.loader import DEFAULT_CONTENT_DIR

    with pytest.raises(ConfigError, match="unknown office 'nowhere'"):
        await Services.start(tmp_path / "x.db", DEFAULT_CONTENT_DIR,
                             [RosterMember(user_id=5, office="nowhere", coordinator=True)])
