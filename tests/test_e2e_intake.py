"""A whole request through the real ``tsunagu run`` process and the fake Bot API, with the
shipped content and catalogs: consent, questions (with a mistake), ticket, withdrawal.

Select with ``pytest -m e2e``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fake_bot_api import FakeBotAPI, buttons
from tests.running_desk import REPLY_TIMEOUT, StartDesk, needs_content

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PARENT = 700_777


def _seen(message: dict[str, Any]) -> str:
    return " ".join([message["text"], *(data for _, data in buttons(message))])


def until(fake: FakeBotAPI, push: Callable[[], object], expect: str) -> str:
    """Send one update, then wait until a new message to the parent contains ``expect``."""
    before = len(fake.messages(PARENT))
    push()

    def ready() -> str | None:
        texts = [_seen(m) for m in fake.messages(PARENT)[before:]]
        return "\n".join(texts) if any(expect in t for t in texts) else None

    return fake.wait_for(ready, REPLY_TIMEOUT, lambda: f"a message with {expect!r}")


@needs_content
def test_a_request_through_the_real_process(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    desk = start_desk()

    def command(name: str, expect: str) -> str:
        return until(api, lambda: api.push_command(PARENT, name, language_code="en"), expect)

    def text(value: str, expect: str) -> str:
        return until(api, lambda: api.push_text(PARENT, value, language_code="en"), expect)

    def press(data: str, expect: str) -> str:
        return until(api, lambda: api.push_callback(PARENT, data, language_code="en"), expect)

    command("start", "v1:req")
    press("v1:req", "v1:cs:role:guardian")
    press("v1:cs:role:guardian", "v1:cs:ok")
    press("v1:cs:t:intake", "v1:cs:ok")
    press("v1:cs:ok", "v1:in:residence:v:chiyoda")
    press("v1:in:residence:v:chiyoda", "v1:in:age:cancel")
    mistake = text("two-ish", "v1:in:age:cancel")
    assert "2 years 3 months" in mistake
    text("2 years 3 months", "v1:in:care:done")
    press("v1:in:care:t:suction", "v1:in:care:done")
    press("v1:in:care:done", "v1:in:situation:v:home")
    press("v1:in:situation:v:home", "v1:in:support:v:none")
    press("v1:in:support:v:none", "v1:in:needs:done")
    press("v1:in:needs:t:respite", "v1:in:needs:done")
    press("v1:in:needs:done", "v1:in:note:skip")
    press("v1:in:note:skip", "v1:in:contact:v:chat")
    press("v1:in:contact:v:chat", "v1:in:name:cancel")
    text("Hanako Chiyoda", "v1:in:summary:send")
    confirmation = press("v1:in:summary:send", "K-0001")
    assert "/mydata" in confirmation

    command("withdraw", "v1:wd:yes")
    press("v1:wd:yes", "K-0001")
    assert desk.terminate() == 0, desk.output()[-3000:]

    conn = sqlite3.connect(tmp_path / "t.db")
    conn.row_factory = sqlite3.Row
    try:
        [ticket] = conn.execute("SELECT reference, status, office, priority FROM tickets")
        assert tuple(ticket) == ("K-0001", "withdrawn", "jido_katei", "high")
        assert conn.execute("SELECT COUNT(*) FROM ticket_details").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM intake_drafts").fetchone()[0] == 0
        kinds = [r[0] for r in conn.execute("SELECT kind FROM outbox ORDER BY id")]
        assert kinds == ["ticket_new", "ticket_withdrawn"]
        payloads = [json.loads(r[0]) for r in conn.execute("SELECT payload FROM outbox")]
        assert all(p["reference"] == "K-0001" for p in payloads)
        assert "Hanako" not in json.dumps(payloads)
        decisions = [r[0] for r in conn.execute("SELECT decision FROM consents ORDER BY id")]
        assert decisions == ["granted", "withdrawn"]
    finally:
        conn.close()
    # What the parent typed never reached the process's logs.
    assert "Hanako" not in desk.output()
