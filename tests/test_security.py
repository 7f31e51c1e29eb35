"""Security: the roster decides who acts at the desk, logs carry nothing personal, and the
database file is its owner's alone.

- Everyone off the roster (a stranger, the family itself, in private and in the
  coordinators' group) tries every coordinator and staff command and forged button data
  for a real ticket: nothing changes, nothing personal comes back, each try is audited;
  roster members without the right role fare no better. The same data pressed by a
  coordinator does work, so the forgeries were the real thing.
- A request, a question, and a coordinator claiming the ticket, reading the details and
  answering the family, all through the real ``tsunagu run`` at DEBUG: nothing the family
  or the coordinator typed, and no name, reaches stdout or stderr.
- The database file and its WAL files are created readable and writable by the owner
  only, whatever the umask.
"""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import pytest

from tests.bot_process import TOKEN, BotProcess, tsunagu_command, tsunagu_env
from tests.desk_world import PARENT, STAFF, STRANGER, A, Person, World, send_request
from tests.fake_bot_api import FakeBotAPI, buttons
from tests.fakes import tg
from tests.running_desk import needs_content
from tests.simulation import Parent, Plan
from tests.simulation import World as Simulation

NAME, PHONE, NOTE = "Hanako Chiyoda", "090-1234-5678", "Our daughter needs suction at night"
DESK_COMMANDS = ("desk", "queue", "mine", "ticket", "note", "reply", "claim", "release",
                 "assign", "close", "reopen")
STAFF_COMMANDS = ("roster", "staff", "faq_list", "faq_show", "faq_edit", "faq_alt", "faq_reviewed",
                  "faq_history", "faq_undo", "preview", "gaps", "reload")
ARGS = ("", "K-0001", "1", "K-0001 秘密のメモ", f"K-0001 {A}", "K-0001 resolved",
        f"add {STRANGER} jido_katei coordinator", "coord_what 秘密の回答")


def forged_buttons(ticket_id: int, entry_id: int) -> list[str]:
    t = str(ticket_id)
    return [f"v1:dk:c:{t}", f"v1:dk:d:{t}", f"v1:dk:r:{t}", f"v1:dk:x:{t}",
            f"v1:dk:x:{t}:resolved", f"v1:dk:c:{ticket_id + 1}", "v1:dk:c", "v1:dk",
            f"v1:tk:ro:{t}", f"v1:tk:faq:{entry_id}", "v1:stf:save", "v1:stf:cancel",
            "v1:stf:list", "v1:stf:reload", "v1:stf:gaps", "v1:stf:save:coord_what"]


async def _state(world: World) -> list[list[dict[str, Any]]]:
    """Everything an action at the desk could change."""
    queries = [
        "SELECT id, status, assignee, claimed_at, closed_at, outcome, reopened_at,"
        " coordinator_messages FROM tickets ORDER BY id",
        "SELECT id, kind, text FROM ticket_entries ORDER BY id",
        "SELECT user_id, is_coordinator, is_staff, is_supervisor, active, office FROM roster"
        " ORDER BY user_id",
        "SELECT COUNT(*) AS n FROM outbox",
        "SELECT COUNT(*) AS n FROM content_changes",
    ]
    return [await world.rows(q) for q in queries]


async def test_nobody_off_the_roster_reaches_a_coordinator_or_staff_action(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        family = world.parent
        await send_request(family, name=NAME)
        await world.deliver()
        await family.text("Can someone call me in the morning?")  # a message on the ticket
        [ticket] = await world.rows("SELECT id FROM tickets")
        entries = await world.rows("SELECT id FROM ticket_entries")
        entry_id = entries[0]["id"] if entries else 1
        before = await _state(world)

        async def denials() -> int:
            return len(await world.rows("SELECT id FROM audit WHERE action = 'denied'"))

        unaudited: list[str] = []

        async def attempt(person: Person, what: str, args: str = "") -> None:
            count = await denials()
            if what.startswith("v1:"):
                await person.press(what)
            else:
                await person.command(what, args)
            assert NAME not in person.said and PHONE not in person.said, (what, args)
            # Desk commands and buttons anywhere, staff tools in private, are refused with an
            # audit row. (Staff tools do not exist in groups; the family's own buttons check
            # the ticket is theirs and are simply stale to anyone else.)
            private = person.chat_type == "private"
            privileged = (what in DESK_COMMANDS or what.startswith("v1:dk")
                          or (private and (what in STAFF_COMMANDS or what.startswith("v1:stf"))))
            if privileged and await denials() == count:
                unaudited.append(f"{person.user_id}@{person.chat_id} {what} {args}")

        people = [world.private(STRANGER), world.group(STRANGER), world.private(PARENT),
                  world.group(PARENT)]
        for person in people:
            for name in DESK_COMMANDS + STAFF_COMMANDS:
                for args in ARGS:
                    await attempt(person, name, args)
            for data in forged_buttons(ticket["id"], entry_id):
                if person.user_id == PARENT and data.startswith("v1:tk:"):
                    continue  # the family's own buttons on its own ticket are theirs to press
                await attempt(person, data)
        # Roster members without the role: staff at the desk, a coordinator at staff tools.
        for person, names in ((world.private(STAFF), DESK_COMMANDS),
                              (world.group(STAFF), DESK_COMMANDS),
                              (world.private(A), STAFF_COMMANDS)):
            for name in names:
                await attempt(person, name, "K-0001")
        for data in forged_buttons(ticket["id"], entry_id)[:6]:
            await attempt(world.group(STAFF), data)

        assert await _state(world) == before, "someone off the roster changed the desk"
        assert not unaudited, unaudited
        denied = await world.rows("SELECT actor, subject, detail FROM audit"
                                  " WHERE action = 'denied'")
        assert not any("秘密" in str(row) for row in denied), "no text of an attempt is kept"

        # The forgeries were the real thing: the same button claims the ticket for a
        # coordinator.
        await world.group(A).press(f"v1:dk:c:{ticket['id']}")
        [claimed] = await world.rows("SELECT assignee FROM tickets")
        assert claimed["assignee"] == tg(A)
    finally:
        await world.close()


# --- through the real process -----------------------------------------------------------

COORDINATOR = 5_550_001
GROUP_CHAT = -1005550000001
FAMILY = 5_550_101


def _private_plan() -> Plan:
    return Plan(lang="en", questions=["My son Taro has a tracheostomy, who can help?"],
                age="2 years 3 months", care=("trach", "suction"), needs=("respite",),
                contact="phone", note=NOTE, name=NAME, phone=PHONE)


@needs_content
@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_no_personal_data_reaches_the_logs_at_debug(tmp_path: Path) -> None:
    relay = "Dear Hanako, I will visit Taro on Friday"
    note = "Mother sounds exhausted, call before noon"
    with FakeBotAPI(token=TOKEN) as api:
        env = tsunagu_env(api, tmp_path, TSUNAGU_LOG_LEVEL="DEBUG",
                          TSUNAGU_COORDINATORS_CHAT=str(GROUP_CHAT),
                          TSUNAGU_COORDINATORS=f"{COORDINATOR}:jido_katei")
        bot = BotProcess(tsunagu_command(), env, tmp_path, api, name="debug").start()
        try:
            # The coordinator opens a private chat first, so details can be sent there.
            api.push_command(COORDINATOR, "start", language_code="en")
            api.wait_for_messages(COORDINATOR, 1, 15)
            parent = Parent(FAMILY, _private_plan())
            world = Simulation(api, [parent], think=(0.0, 0.01), reply_timeout=15)
            world.start_all(0)
            world.run(time.monotonic() + 90)
            assert parent.phase == "done", "the request was not made"
            [reference] = set(parent.references)
            [notice] = api.wait_for_messages(GROUP_CHAT, 1, 30)
            claim = next(d for _, d in buttons(notice) if d.startswith("v1:dk:c:"))
            api.push_callback(COORDINATOR, claim, message_id=notice["message_id"],
                              chat_id=GROUP_CHAT, language_code="en")
            details = api.wait_for(
                lambda: [m for m in api.messages(COORDINATOR) if PHONE in m["text"]] or None,
                15, lambda: "the details in the coordinator's private chat")
            assert details
            count = len(api.messages(FAMILY))
            api.push_command(COORDINATOR, "reply", f"{reference} {relay}", language_code="en")
            api.push_command(COORDINATOR, "note", f"{reference} {note}", language_code="en")
            api.wait_for(lambda: any(relay.split(",")[0] in m["text"]
                                     for m in api.messages(FAMILY)[count:]) or None,
                         30, lambda: "the coordinator's answer to the family")
        finally:
            code = bot.terminate()
        logged = bot.output()
    assert code == 0, logged[-3000:]
    assert " DEBUG " in logged, "the run really logged at DEBUG"
    typed = [NAME, "Hanako", "Chiyoda", PHONE, "1234-5678", NOTE, "suction at night",
             "2 years 3 months", "tracheostomy", "Taro", relay, "Friday", note, "exhausted",
             f"Parent{FAMILY}", f"Parent{COORDINATOR}", TOKEN, TOKEN.split(":")[1]]
    leaked = [t for t in typed if t in logged]
    assert not leaked, f"in the logs: {leaked}"


@needs_content
@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_the_database_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with FakeBotAPI(token=TOKEN) as api:
        env = tsunagu_env(api, tmp_path, TSUNAGU_DB=str(data_dir / "desk.db"))
        # However permissive the umask the service manager gives it.
        bot = BotProcess(tsunagu_command(), env, tmp_path, api, name="umask", umask=0o002)
        bot.start()
        try:
            api.push_command(FAMILY, "start")
            api.wait_for_messages(FAMILY, 1, 15)
            files = [data_dir / n for n in ("desk.db", "desk.db-wal", "desk.db-shm")]
            modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files if f.exists()}
        finally:
            assert bot.terminate() == 0
    assert "desk.db" in modes and "desk.db-wal" in modes, modes
    assert all(mode & 0o077 == 0 for mode in modes.values()), {k: oct(v) for k, v in
                                                                modes.items()}
