"""Addresses in the engine: who and where as channel:id, made at the edges, checked in records,
typed by staff as a Telegram number or a whole address."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import ConfigError, load_settings
from bot.pacing import Limits, Pacer
from flows.address import (
    BadAddress,
    address,
    is_group,
    parse_address,
    telegram_id,
    typed_address,
    typed_form,
)
from flows.model import Inbound, Reply, session_key
from flows.records import RosterMember
from tests.desk_world import STAFF, World
from tests.fakes import tg

LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("123456789", "telegram:123456789"), (" 42 ", "telegram:42"),
     ("-1001234", "telegram:-1001234"), (f"line:{LINE_USER}", f"line:{LINE_USER}"),
     ("telegram:77", "telegram:77"), ("console:1", "console:1")],
)
def test_staff_type_a_number_or_a_whole_address(typed: str, expected: str) -> None:
    assert typed_address(typed) == expected
    assert typed_address(typed_form(typed_address(typed))) == expected  # shown as typed


@pytest.mark.parametrize("typed", ["", "abc", "line:", "line:U1 2", "mail:x", "telegram:abc",
                                   "U4af49806", "12:34"])
def test_anything_else_is_not_an_id(typed: str) -> None:
    with pytest.raises(BadAddress):
        typed_address(typed)


def test_telegram_numbers_are_shown_bare_and_other_channels_whole() -> None:
    assert typed_form(tg(1001)) == "1001"
    assert typed_form(address("line", LINE_USER)) == f"line:{LINE_USER}"


def test_a_line_family_is_an_inbound_like_any_other() -> None:
    who = address("line", LINE_USER)
    inbound = Inbound(channel="line", user_id=who, chat_id=who, kind="text", text="こんにちは")
    assert inbound.session_key == f"line:{LINE_USER}:{LINE_USER}"
    with pytest.raises(BadAddress):
        telegram_id(inbound.chat_id)  # only the Telegram driver reads numbers
    assert not is_group(inbound.chat_id)


def test_session_keys_keep_the_form_saved_before_addresses() -> None:
    assert session_key(tg(5151), tg(5151)) == "telegram:5151:5151"
    assert session_key(tg(-100777), tg(1001)) == "telegram:-100777:1001"
    assert session_key(address("console", 1), address("console", 1)) == "console:1:1"
    # A group and a person with the same digits, on different channels, never meet.
    keys = {session_key(tg(-5), tg(5)), session_key(tg(5), tg(5)),
            session_key(address("console", 5), address("console", 5))}
    assert len(keys) == 3


@pytest.mark.parametrize(
    "fields",
    [{"user_id": 42, "chat_id": 42},  # a bare number is not an address
     {"user_id": "42", "chat_id": "42"},
     {"user_id": "telegram:abc", "chat_id": "telegram:abc"},
     {"user_id": "line:U1", "chat_id": "line:U1"},  # a LINE person on the Telegram inbound
     {"user_id": "telegram:1", "chat_id": "console:1"}],
)
def test_inbound_refuses_what_is_not_an_address_of_its_channel(fields: dict[str, object]
                                                                ) -> None:
    with pytest.raises(ValidationError):
        Inbound.model_validate({"channel": "telegram", "kind": "text", **fields})


def test_records_check_the_addresses_they_hold() -> None:
    assert Reply(text="x", chat_id=tg(-100)).chat_id == "telegram:-100"
    with pytest.raises(ValidationError):
        Reply(text="x", chat_id="-100")
    with pytest.raises(ValidationError):
        RosterMember(user_id="whatsapp:1")
    assert parse_address(f"line:{LINE_USER}") == f"line:{LINE_USER}"


def test_the_pacer_keeps_each_address_apart() -> None:
    now = [0.0]
    pacer = Pacer(Limits(group_messages=2, group_window=10.0, group_reserve=0),
                  clock=lambda: now[0])
    group, line_person = tg(-100), address("line", LINE_USER)
    pacer.record(group)
    pacer.record(group)
    assert pacer.budget(group) == 0 and pacer.wait(group) > 0
    assert pacer.wait(line_person) == 0.0  # a person on LINE is never a group
    assert pacer.budget(line_person) == Limits(group_messages=2, group_reserve=0).group_budget


def test_configured_ids_stay_telegram_numbers(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSUNAGU_COORDINATORS_CHAT", "-1001234")
    monkeypatch.setenv("TSUNAGU_COORDINATORS", "111:jido_katei")
    monkeypatch.setenv("TSUNAGU_STAFF", "222")
    monkeypatch.setenv("TSUNAGU_PARTNERS", "333:hokenjo")
    settings = load_settings()
    assert settings.desk_settings().coordinators_chat == "telegram:-1001234"
    assert {m.user_id for m in settings.roster_seed()} == {tg(111), tg(222), tg(333)}


@pytest.mark.parametrize(("name", "value"), [("COORDINATORS_CHAT", "line:C123"),
                                             ("COORDINATORS", f"line:{LINE_USER}"),
                                             ("STAFF", "telegram:5")])
def test_configured_ids_that_are_not_numbers_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"TSUNAGU_{name}", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"TSUNAGU_{name}:") and "\n" not in str(caught.value)


async def test_staff_put_a_line_user_on_the_roster(tmp_path: Path) -> None:
    world = await World.open(tmp_path, locale="en")
    try:
        staff = world.private(STAFF)
        await staff.command("roster", f"add line:{LINE_USER} partner hokenjo")
        assert f"line:{LINE_USER}" in staff.said and "partner" in staff.said
        async with world.services.db.transaction() as tx:
            member = await tx.roster.get(address("line", LINE_USER))
        assert member is not None and member.partner and member.department == "hokenjo"
        await staff.command("roster", f"name line:{LINE_USER} Ito")
        await staff.command("roster", "")
        assert f"line:{LINE_USER}" in staff.said and "Ito" in staff.said
        await staff.command("roster", f"remove line:{LINE_USER}")
        assert f"line:{LINE_USER} is off the roster" in staff.said
        [row] = await world.rows("SELECT actor, subject FROM audit WHERE action = 'roster.remove'")
        assert (row["actor"], row["subject"]) == (tg(STAFF), f"line:{LINE_USER}")
    finally:
        await world.close()


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "“mail:someone” is not an id. Type a Telegram user id as a number"),
    ("ja", "「mail:someone」はIDではありません。"),
])
async def test_an_id_that_is_none_gets_a_polite_answer(tmp_path: Path, language: str,
                                                      expected: str) -> None:
    world = await World.open(tmp_path, locale="en")
    try:
        staff = world.private(STAFF)
        staff.language_code = language
        await staff.command("roster", "")
        before = await world.rows("SELECT * FROM roster ORDER BY user_id")
        await staff.command("roster", "add mail:someone jido_katei")
        assert expected in staff.said
        assert "/roster add ID" in staff.said  # and how to write it
        assert await world.rows("SELECT * FROM roster ORDER BY user_id") == before
        said = await staff.command("roster", "remove <b>x</b>")
        assert "&lt;b&gt;x&lt;/b&gt;" in said.replies[0].text  # what was typed stays text
    finally:
        await world.close()
