"""The same conversation on a real SQLite file through the composition root: a restart in
the middle of a request resumes it, and the ticket and its notice are written together."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FixedClock
from tests.intake_fakes import SqliteChat, request_deps


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[SqliteChat]:
    chat = await SqliteChat.open(tmp_path / "desk.db", request_deps(), language_code="en")
    yield chat
    await chat.close()


async def test_a_restart_in_the_middle_of_a_request_resumes_it(chat: SqliteChat) -> None:
    await chat.command("start")
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("2 years 3 months")
    await chat.press("v1:in:care:t:vent")  # ticked, not yet "Done"

    await chat.restart()  # the process dies and comes back

    await chat.command("resume")  # what the drivers send after a restart
    assert chat.session.state == "intake:care"
    assert chat.last is not None
    assert "✅ Ventilator" in [b.label for r in chat.last.replies for row in r.buttons
                               for b in row]
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:home")
    await chat.press("v1:in:support:v:some")

    await chat.restart()

    # A button of the waiting question works straight after the restart, too.
    await chat.press("v1:in:needs:t:nursing")
    await chat.press("v1:in:needs:done")
    await chat.press("v1:in:note:skip")
    await chat.press("v1:in:contact:v:chat")
    await chat.text("Hanako Chiyoda")
    await chat.press("v1:in:summary:send")
    assert "Reference K-0001" in chat.all_text

    [ticket] = await chat.rows("SELECT * FROM tickets")
    assert (ticket["reference"], ticket["status"], ticket["office"], ticket["priority"]) == (
        "K-0001", "new", "jido_katei", "normal")
    [details] = await chat.rows("SELECT * FROM ticket_details")
    answers = json.loads(details["answers"])
    assert answers["age"] == {"kind": "age", "years": 2, "months": 3}
    assert answers["care"] == ["vent"] and answers["needs"] == ["nursing"]
    assert details["subject"] == "console:42:42" and details["chat_id"] == "console:42"
    [notice] = await chat.rows("SELECT * FROM outbox")
    assert notice["kind"] == "ticket_new" and notice["ticket_id"] == ticket["id"]
    assert notice["sent_at"] is None
    assert json.loads(notice["payload"]) == {
        "reference": "K-0001", "priority": "normal", "office": "jido_katei"}
    assert "Hanako" not in notice["payload"]  # notices never carry a family's details
    assert await chat.rows("SELECT * FROM intake_drafts") == []


async def test_a_crash_while_sending_leaves_no_ticket_and_no_notice(
    chat: SqliteChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:home")
    await chat.press("v1:in:support:v:none")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.press("v1:in:note:skip")
    await chat.press("v1:in:contact:v:chat")
    await chat.text("Hanako Chiyoda")

    from storage.repos.outbox import OutboxRepo

    async def dies(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(OutboxRepo, "enqueue", dies)
    with pytest.raises(RuntimeError):
        await chat.press("v1:in:summary:send")
    monkeypatch.undo()
    # Ticket and notice are one transaction: neither exists, and the draft is intact.
    assert await chat.rows("SELECT * FROM tickets") == []
    assert await chat.rows("SELECT * FROM ticket_details") == []
    assert await chat.rows("SELECT * FROM outbox") == []
    assert len(await chat.rows("SELECT * FROM intake_drafts")) == 1
    await chat.press("v1:in:summary:send")
    assert len(await chat.rows("SELECT * FROM outbox")) == 1
    # The reference number drawn by the failed attempt was rolled back with it.
    assert (await chat.rows("SELECT reference FROM tickets"))[0]["reference"] == "K-0001"


async def test_references_count_up_and_are_never_reused(tmp_path: Path) -> None:
    clock = FixedClock()
    first = await SqliteChat.open(tmp_path / "d.db", request_deps(clock=clock), user_id=1,
                                  language_code="en")
    try:
        for user in (1, 2, 3):
            first.user_id = user
            first.session = first.session.model_copy(update={"key": f"console:{user}:{user}"})
            await first.press("v1:req")
            await first.press("v1:cs:role:guardian")
            await first.press("v1:cs:t:intake")
            await first.press("v1:cs:ok")
            await first.press("v1:in:residence:v:chiyoda")
            await first.text("3")
            await first.press("v1:in:care:t:vent")
            await first.press("v1:in:care:done")
            await first.press("v1:in:situation:v:home")
            await first.press("v1:in:support:v:some")
            await first.press("v1:in:needs:t:talk")
            await first.press("v1:in:needs:done")
            await first.press("v1:in:note:skip")
            await first.press("v1:in:contact:v:chat")
            await first.text("Hanako Chiyoda")
            await first.press("v1:in:summary:send")
            assert f"K-000{user}" in first.all_text
        rows = await first.rows("SELECT reference FROM tickets ORDER BY id")
        refs = [r["reference"] for r in rows]
        assert refs == ["K-0001", "K-0002", "K-0003"]
    finally:
        await first.close()
