"""Partners on the roster: from the environment, from /roster, and the departments they
belong to, which the consent text must name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.services import Services
from content.loader import DEFAULT_CONTENT_DIR, load_content
from flows.records import RosterMember
from tests.desk_world import STAFF, World
from tests.fakes import tg


def test_partners_come_from_the_environment_with_their_department(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TSUNAGU_COORDINATORS", "11:jido_katei")
    monkeypatch.setenv("TSUNAGU_PARTNERS", "21:hokenjo, 22:shogai_fukushi")
    seeded = {m.user_id: m for m in load_settings().roster_seed()}
    assert seeded[tg(21)] == RosterMember(user_id=tg(21), partner=True, department="hokenjo")
    assert seeded[tg(22)].department == "shogai_fukushi" and not seeded[tg(22)].coordinator
    assert seeded[tg(11)].coordinator and not seeded[tg(11)].partner


@pytest.mark.parametrize("value", ["21", "21:Hokenjo", "abc:hokenjo"])
def test_a_partner_without_a_department_is_named(monkeypatch: pytest.MonkeyPatch,
                                                  value: str) -> None:
    monkeypatch.setenv("TSUNAGU_PARTNERS", value)
    with pytest.raises(ConfigError, match=r"^TSUNAGU_PARTNERS: .*department"):
        load_settings()


async def test_an_unknown_department_stops_the_start(tmp_path: Path) -> None:
    partner = RosterMember(user_id=tg(21), partner=True, department="police")
    with pytest.raises(ConfigError, match=r"^TSUNAGU_PARTNERS: unknown department 'police'"
                                          r" \(known: hattatsu_center, hokenjo, shogai_fukushi\)"):
        await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR, [partner])


async def test_seeded_partners_are_on_the_roster(tmp_path: Path) -> None:
    partner = RosterMember(user_id=tg(21), partner=True, department="hokenjo")
    services = await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR, [partner])
    try:
        async with services.db.transaction() as tx:
            assert await tx.roster.get(tg(21)) == partner
    finally:
        await services.close()


async def test_staff_add_a_partner_with_a_department(tmp_path: Path) -> None:
    world = await World.open(tmp_path, locale="en")
    try:
        staff = world.private(STAFF)
        await staff.command("roster", "add 777 partner")
        assert "A partner needs a department" in staff.said and "hokenjo" in staff.said
        await staff.command("roster", "add 777 partner police")
        assert "Not an office, department or role: police" in staff.said
        await staff.command("roster", "add 777 partner hokenjo")
        assert "777" in staff.said and "health center" in staff.said and "partner" in staff.said
        async with world.services.db.transaction() as tx:
            member = await tx.roster.get(tg(777))
        assert member is not None and member.partner and member.department == "hokenjo"
        assert not member.coordinator
        [row] = await world.rows("SELECT * FROM audit WHERE action = 'roster.put'")
        assert (row["actor"], row["subject"]) == (tg(STAFF), "telegram:777")
        # Made a coordinator instead: the department goes with the partner role.
        await staff.command("roster", "add 777 jido_katei coordinator")
        async with world.services.db.transaction() as tx:
            member = await tx.roster.get(tg(777))
        assert member is not None and member.coordinator and not member.partner
        assert member.department is None
    finally:
        await world.close()


def test_the_shipped_consent_names_every_department() -> None:
    result = load_content()
    assert result.errors == []
    assert result.content is not None and result.content.intake is not None
    assert [d.id for d in result.content.intake.departments] == [
        "hokenjo", "shogai_fukushi", "hattatsu_center"]


def test_a_department_the_consent_does_not_name_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    intake = root / "intake.yaml"
    intake.write_text(intake.read_text("utf-8") + "  - id: police\n"
                      "    label: {ja: 警察署, en: police station}\n", "utf-8")
    result = load_content(root)
    found = {(p.file, p.params.get("department")) for p in result.errors}
    assert found == {("consent.ja.yaml", "警察署"), ("consent.en.yaml", "police station")}
    assert all(p.line > 1 for p in result.errors)
