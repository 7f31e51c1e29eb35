"""A coordinator taken off the roster with /roster stays off after ``tsunagu run`` restarts,
though TSUNAGU_COORDINATORS still names them: the real process against the fake Bot API on
127.0.0.1, with the shipped content and catalogs.

Select with ``pytest -m e2e``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotAPI, Json, buttons
from tests.fakes import tg
from tests.running_desk import (
    REPLY_TIMEOUT,
    StartDesk,
    needs_content,
    request_as_parent,
    wait_for_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

GROUP = -1001234567891
COORDINATOR, STAFF = 700_201, 700_202
REFUSED = "only for the desk's coordinators"


def command(fake: FakeBotAPI, user: int, name: str, args: str, expect: str) -> Json:
    before = len(fake.messages(user))
    fake.push_command(user, name, args, language_code="en")
    return wait_for_text(fake, user, expect, before)


def press_in_group(fake: FakeBotAPI, user: int, notice: Json, prefix: str) -> str:
    """Press a button of the group's notice; the toast the bot answers with."""
    data = next(d for _, d in buttons(notice) if d.startswith(prefix))
    answers_before = len(fake.callback_answers)
    pressed = fake.push_callback(user, data, message_id=notice["message_id"], chat_id=GROUP,
                                language_code="en")
    answers = fake.wait_for_callback_answers(answers_before + 1, REPLY_TIMEOUT)
    toasts = {a["callback_query_id"]: a.get("text") or "" for a in answers}
    return toasts[pressed["callback_query"]["id"]]


@needs_content
def test_a_removal_holds_across_a_restart_with_the_id_still_seeded(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    env = {"TSUNAGU_COORDINATORS_CHAT": str(GROUP),
           "TSUNAGU_COORDINATORS": f"{COORDINATOR}:jido_katei", "TSUNAGU_STAFF": str(STAFF)}
    first = start_desk(**env)
    request_as_parent(api)
    notice = wait_for_text(api, GROUP, "K-0001")

    # The coordinator takes the request and reads its details in private.
    command(api, COORDINATOR, "start", "", "v1:")
    press_in_group(api, COORDINATOR, notice, "v1:dk:c:")
    wait_for_text(api, COORDINATOR, "Hanako Chiyoda")

    # Staff take them off the roster.
    command(api, STAFF, "roster", f"remove {COORDINATOR}", f"{COORDINATOR} is off the roster")
    command(api, COORDINATOR, "queue", "", REFUSED)
    assert first.terminate() == 0, first.output()[-3000:]

    # The same environment at the next start: they are not added back.
    second = start_desk(**env)
    before = len(api.messages(COORDINATOR))
    command(api, COORDINATOR, "ticket", "K-0001", REFUSED)
    command(api, COORDINATOR, "mine", "", REFUSED)
    assert press_in_group(api, COORDINATOR, notice, "v1:dk:d:") == (
        "Sorry, this is only for the desk's coordinators.")
    # Staff still work, and nothing personal reached the removed coordinator.
    command(api, STAFF, "roster", "", "Roster")
    for message in api.messages(COORDINATOR)[before:]:
        assert "Hanako" not in message["text"] and "090-1234-5678" not in message["text"]
    assert second.terminate() == 0, second.output()[-3000:]

    # The start-up says why someone named in the environment is missing, naming nobody.
    restarted = second.output()
    assert "were taken off the roster by staff and stay off" in restarted
    assert str(COORDINATOR) not in restarted

    conn = sqlite3.connect(tmp_path / "t.db")
    try:
        audit = [tuple(r) for r in conn.execute(
            "SELECT actor, action, subject FROM audit ORDER BY id")]
        [active] = conn.execute("SELECT active FROM roster WHERE user_id = ?", (tg(COORDINATOR),))
    finally:
        conn.close()
    assert active == (0,)
    # Added once from the environment (first start), removed by staff, never re-added.
    assert [a for a in audit if a[2] == tg(COORDINATOR)] == [
        ("environment", "roster.seed", tg(COORDINATOR)),
        (tg(STAFF), "roster.remove", tg(COORDINATOR)),
    ]
    denied = [a for a in audit if a[:2] == (tg(COORDINATOR), "denied")]
    assert [a[2] for a in denied] == ["/queue", "/ticket", "/mine", "button:dk"]
    assert (tg(COORDINATOR), "ticket.read", "K-0001") in audit  # before the removal only
    assert [a for a in audit if a[1] == "ticket.read"] == [
        (tg(COORDINATOR), "ticket.read", "K-0001")]
