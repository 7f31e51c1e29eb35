"""/withdraw (and /delete): consent withdrawn, answers and drafts deleted, the coordinator
holding a ticket told, and only the anonymous fact that a ticket existed kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from flows.engine import Engine
from tests.fakes import Chat
from tests.intake_fakes import SqliteChat, memory_chat, request_deps


async def send_request(chat: Chat, *, name: str = "Hanako Chiyoda") -> None:
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:t:share")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")
    await chat.text("3")
    await chat.press("v1:in:care:t:vent")
    await chat.press("v1:in:care:done")
    await chat.press("v1:in:situation:v:home")
    await chat.press("v1:in:support:v:some")
    await chat.press("v1:in:needs:t:talk")
    await chat.press("v1:in:needs:done")
    await chat.text("Our daughter needs suction at night")
    await chat.press("v1:in:contact:v:phone")
    await chat.text("090-1234-5678")
    await chat.press("v1:in:phone_times:skip")
    await chat.text(name)
    await chat.press("v1:in:summary:send")


async def start_second_request(chat: Chat) -> None:
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:moving_in")


async def test_withdrawal_on_the_database_deletes_what_it_says(tmp_path: Path) -> None:
    chat = await SqliteChat.open(tmp_path / "t.db", request_deps(), language_code="en")
    try:
        await send_request(chat)
        # A coordinator took the ticket (the coordinators' desk does this).
        async with chat.services.db.transaction() as tx:
            await tx.conn.execute(
                "UPDATE tickets SET assignee = 'telegram:9001', status = 'assigned'")
            await tx.conn.execute("UPDATE outbox SET sent_at = ?",
                                  (datetime(2026, 11, 24, 1, 1, tzinfo=UTC).isoformat(),))
        await start_second_request(chat)

        await chat.command("withdraw")
        preview = chat.all_text
        assert "withdraw your consent" in preview
        assert "delete your unfinished request" in preview
        assert "delete your answers in request K-0001" in preview
        assert "anonymous fact" in preview
        assert len(await chat.rows("SELECT * FROM ticket_details")) == 1  # not yet

        await chat.press_label("Yes, withdraw and delete")
        done = chat.all_text
        assert "your consent is withdrawn" in done
        assert "your unfinished request is deleted" in done
        assert "your answers in request K-0001 are deleted" in done
        assert "coordinators are told that K-0001 was withdrawn" in done

        assert await chat.rows("SELECT * FROM ticket_details") == []
        assert await chat.rows("SELECT * FROM intake_drafts") == []
        [ticket] = await chat.rows("SELECT * FROM tickets")
        assert ticket["reference"] == "K-0001" and ticket["status"] == "withdrawn"
        assert ticket["withdrawn_at"] and ticket["details_deleted_at"]
        # Nothing in what stays names the family or says anything about the child.
        everything = json.dumps(await chat.rows("SELECT * FROM tickets"))
        everything += json.dumps(await chat.rows("SELECT * FROM outbox"))
        for personal in ("Hanako", "090-1234-5678", "suction", "console:42"):
            assert personal not in everything, personal
        notices = await chat.rows("SELECT * FROM outbox ORDER BY id")
        assert [n["kind"] for n in notices] == ["ticket_new", "ticket_withdrawn"]
        withdrawn = notices[1]
        assert withdrawn["recipient"] == "telegram:9001" and withdrawn["office"] == "jido_katei"
        assert json.loads(withdrawn["payload"]) == {"reference": "K-0001",
                                                    "office": "jido_katei"}
        assert withdrawn["sent_at"] is None
        decisions = await chat.rows("SELECT decision, text_version FROM consents ORDER BY id")
        assert [d["decision"] for d in decisions] == ["granted", "granted", "withdrawn"]
        [session] = await chat.rows("SELECT state FROM sessions")
        assert session["state"] == "idle"

        await chat.command("mydata")
        assert "you withdrew your consent" in chat.all_text
        assert "K-0001" not in chat.all_text
        await chat.command("delete")
        assert "nothing to withdraw" in chat.all_text
    finally:
        await chat.close()


async def test_a_closed_ticket_loses_its_details_but_needs_no_notice() -> None:
    chat = memory_chat(Engine(request_deps()), language_code="en")
    await send_request(chat)
    chat.store.tickets.tickets[1]["status"] = "closed"
    chat.store.outbox.messages.clear()
    await chat.command("delete")
    await chat.press("v1:wd:yes")
    assert chat.store.tickets.details == {}
    assert chat.store.tickets.tickets[1]["status"] == "closed"
    assert chat.store.outbox.messages == []


async def test_saying_no_changes_nothing_and_returns_to_the_question() -> None:
    chat = memory_chat(Engine(request_deps()), language_code="en")
    await start_second_request(chat)
    assert chat.session.state == "intake:age"
    await chat.command("withdraw")
    await chat.text("what?")  # typing instead of pressing: the question again
    assert "Withdraw your consent and delete your details?" in chat.all_text
    await chat.press_label("No, keep everything")
    assert "Nothing was changed" in chat.all_text
    assert chat.session.state == "intake:age" and "How old is the child" in chat.all_text
    assert chat.store.drafts.rows and [r.decision for r in chat.store.consents.rows] == [
        "granted"]
    await chat.press("v1:wd:yes")  # the old question's button, after it was answered
    assert chat.last is not None and chat.last.toast
    assert chat.store.drafts.rows


async def test_withdrawal_is_per_person() -> None:
    engine = Engine(request_deps())
    mother = memory_chat(engine, language_code="en", user_id=1)
    father = Chat(engine, mother.store, user_id=2, language_code="en")
    await send_request(mother, name="Hanako")
    await send_request(father, name="Taro")
    await father.command("withdraw")
    await father.press("v1:wd:yes")
    [(ticket_id, kept)] = mother.store.tickets.details.items()
    assert kept.answers["name"] == "Hanako"
    assert mother.store.tickets.tickets[ticket_id]["status"] == "new"
