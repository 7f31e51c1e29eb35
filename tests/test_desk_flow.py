"""The coordinators' desk as transcripts: a family's request announced in the group, claimed,
its details sent to the holder alone, messages both ways, commands, and who may do what.

The engine and the outbox worker run for real on a SQLite file; the bot is a recorder
and the clock virtual (tests/desk_world.py). Most transcripts set the desk's language to
English so they read plainly; the default (Japanese) is checked where it matters.
"""

from __future__ import annotations

from pathlib import Path

from flows.desk.refs import parse_reference, references_in, split_reference
from tests.desk_world import (
    GROUP,
    PARENT,
    STAFF,
    STRANGER,
    SUPERVISOR,
    A,
    B,
    Sent,
    World,
    announced,
    send_request,
)
from tests.fakes import fake_source, tg
from tests.intake_fakes import with_confirmed_hours

PERSONAL = ("Hanako", "Chiyoda", "090", "1234-5678", "suction", "Ventilator", "人工呼吸器",
            "daughter")


async def claimed_by_a(world: World) -> Sent:
    """A has a private chat with the bot and takes the ticket from the group."""
    notice = await announced(world)
    await world.private(A).command("start")
    await world.group(A).press(notice.button("v1:dk:c"), notice)
    await world.deliver()
    return notice


def assert_nothing_personal(*texts: str) -> None:
    for text in texts:
        for word in PERSONAL:
            assert word not in text, (word, text)


async def test_a_request_is_announced_in_the_group_without_personal_details(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)  # the desk's own language: Japanese
    try:
        notice = await announced(world)
        assert notice.chat_id == GROUP
        text = notice.text
        assert "K-0001" in text
        assert "児童・家庭支援センター" in text  # the office, from offices.yaml
        assert "話を聞いてほしい" in text  # the help category's label, from intake.yaml
        assert notice.buttons == [(notice.buttons[0][0], "v1:dk:c:1"),
                                  (notice.buttons[1][0], "v1:dk:d:1")]
        assert_nothing_personal(text)
        # The outbox row itself carries the reference only.
        [row] = await world.rows("SELECT payload, sent_at, message_id FROM outbox")
        assert row["sent_at"] and row["message_id"] == notice.message_id
        assert_nothing_personal(row["payload"])
        [ticket] = await world.rows("SELECT group_message_id FROM tickets")
        assert ticket["group_message_id"] == notice.message_id
    finally:
        await world.close()


async def test_two_coordinators_race_and_the_first_wins(world: World) -> None:
    notice = await announced(world)
    await world.private(A).command("start")
    a, b = world.group(A), world.group(B)
    await a.press(notice.button("v1:dk:c"), notice)
    await b.press(notice.button("v1:dk:c"), notice)

    assert a.toast is not None and "You hold K-0001 now" in a.toast
    [edit] = a.last.replies if a.last else []
    assert edit.edit_message_id == notice.message_id
    assert "Held by Aoki" in edit.text and "Take it" not in str(edit.buttons)
    assert b.toast == "Sorry, K-0001 is already held by Aoki."
    assert b.last is not None and b.last.replies == []  # no noise in the group
    [ticket] = await world.rows("SELECT assignee, status, claimed_at FROM tickets")
    assert (ticket["assignee"], ticket["status"]) == (tg(A), "assigned") and ticket["claimed_at"]

    sent = await world.deliver()
    [taken] = world.to(PARENT, sent)
    assert "has taken up your request K-0001" in taken.text
    assert "Aoki" not in taken.text  # the office speaks, not the coordinator's account


async def test_details_go_only_to_the_holder_in_private(world: World) -> None:
    await claimed_by_a(world)
    [details] = world.to(A)
    assert details.chat_id == A > 0
    for personal in ("Hanako Chiyoda", "090-1234-5678", "Our daughter needs suction at night"):
        assert personal in details.text
    assert details.button("v1:dk:r:1")  # give it back to the queue
    assert_nothing_personal(*(s.text for s in world.to(GROUP)))
    reads = await world.rows("SELECT actor, action, subject FROM audit WHERE action LIKE"
                             " 'ticket.%' ORDER BY id")
    assert [(r["actor"], r["action"], r["subject"]) for r in reads] == [
        (tg(A), "ticket.claim", "K-0001"), (tg(A), "ticket.read", "K-0001")]


async def test_without_a_private_chat_the_group_is_told_how_to_open_one(world: World) -> None:
    notice = await announced(world)
    b = world.group(B)
    await b.press(notice.button("v1:dk:c"), notice)
    hint = [r for r in (b.last.replies if b.last else []) if r.edit_message_id is None]
    assert len(hint) == 1 and "Baba: to receive the details of K-0001" in hint[0].text
    assert_nothing_personal(hint[0].text)
    assert world.to(B, await world.deliver()) == []

    # B opens the private chat and presses Details: now they arrive, there only.
    await world.private(B).command("start")
    await b.press(notice.button("v1:dk:d"), notice)
    assert b.toast is not None and "on their way to our private chat" in b.toast
    [details] = world.to(B, await world.deliver())
    assert "Hanako Chiyoda" in details.text


async def test_details_and_ticket_are_refused_to_anyone_but_the_holder(world: World) -> None:
    notice = await claimed_by_a(world)
    await world.private(B).command("start")
    gb = world.group(B)
    await gb.press(notice.button("v1:dk:d"), notice)
    assert gb.toast == "Only Aoki, who holds K-0001, receives its details."
    b = world.private(B)
    await b.command("ticket", "K-0001")
    assert "Only Aoki, who holds K-0001, can read its details." in b.said
    assert "Hanako" not in b.said
    assert world.to(B, await world.deliver()) == []
    denied = await world.rows("SELECT actor, detail FROM audit WHERE action = 'denied'")
    assert [(d["actor"], d["detail"]) for d in denied] == [(tg(B), "details")] * 2

    a = world.private(A)
    await a.command("ticket", "k1")  # references as people type them
    assert "Hanako Chiyoda" in a.said and "090-1234-5678" in a.said
    ga = world.group(A)
    await ga.command("ticket", "K-0001")
    assert "works only in a private chat" in ga.said and "Hanako" not in ga.said


async def test_a_reply_goes_both_ways_signed_with_the_office(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("reply", "K-0001 I will call you tomorrow at <10:00> & bring the forms")
    assert a.said == "Sent to the family of K-0001, signed with the office's name."
    [to_parent] = world.to(PARENT, await world.deliver())
    assert to_parent.html.startswith("🏢 <b>Children and Family Support Center</b>")
    assert "I will call you tomorrow at <10:00> & bring the forms" in to_parent.text
    assert "&lt;10:00&gt; &amp;" in to_parent.html  # typed text is escaped
    assert "Aoki" not in to_parent.text

    parent = world.parent
    await parent.text("Thank you. Mornings are best for us.")
    assert "Sent to the coordinator handling your request K-0001" in parent.said
    [to_a] = world.to(A, await world.deliver())
    assert to_a.text.startswith("💬 K-0001: from the family")
    assert "Mornings are best for us." in to_a.text

    # Answering the relayed message needs no reference.
    await a.text("Then 9:30 it is.", reply_to=to_a)
    assert "Sent to the family of K-0001" in a.said
    [again] = world.to(PARENT, await world.deliver())
    assert "Then 9:30 it is." in again.text
    counts = await world.rows("SELECT family_messages, coordinator_messages FROM tickets")
    assert counts == [{"family_messages": 1, "coordinator_messages": 2}]


async def test_replying_in_the_group_to_the_notice_reaches_the_family(world: World) -> None:
    notice = await claimed_by_a(world)
    ga = world.group(A)
    await ga.text("Hello from the desk", reply_to=notice)
    assert "Sent to the family of K-0001" in ga.said
    [message] = world.to(PARENT, await world.deliver())
    assert "Hello from the desk" in message.text

    # Only the holder writes to the family; others are told who holds it.
    gb = world.group(B)
    await gb.text("Me too", reply_to=notice)
    assert "K-0001 is held by Aoki; only they write to the family." in gb.said
    assert world.to(PARENT, await world.deliver()) == []


async def test_before_anyone_holds_it_messages_wait_on_the_ticket(world: World) -> None:
    notice = await announced(world)
    parent = world.parent
    await parent.text("Also, we are moving next month.")
    assert "Added to your request K-0001" in parent.said
    assert "question for the FAQ" in str(parent.last.replies[-1].buttons if parent.last else "")
    assert await world.deliver() == []  # nobody to send it to yet

    await world.private(A).command("start")
    await world.group(A).press(notice.button("v1:dk:c"), notice)
    [details] = world.to(A, await world.deliver())
    assert "Family: Also, we are moving next month." in details.text


async def test_a_family_with_an_open_ticket_gets_the_faq_answer_and_may_pass_it_on(
    world: World,
) -> None:
    await claimed_by_a(world)
    parent = world.parent
    await parent.text("How do I start visiting nursing with a nurse?")
    # Answered at once, not only filed for office hours…
    assert "A nurse visits your home." in parent.said
    assert "Sent to the coordinator" not in parent.said
    assert world.to(A, await world.deliver()) == []
    # …and one tap passes the same words to the coordinator as well.
    await parent.press_label("Send this to my coordinator too")
    assert "Sent to the coordinator handling your request K-0001" in parent.said
    [to_a] = world.to(A, await world.deliver())
    assert "visiting nursing with a nurse" in to_a.text
    # Pressed again, the button has nothing left to send.
    await parent.press("v1:tk:fw:1")
    assert world.to(A, await world.deliver()) == []


async def test_words_for_the_coordinator_are_relayed_with_the_faq_at_hand(world: World) -> None:
    await claimed_by_a(world)
    parent = world.parent
    await parent.text("Could we move Thursday's meeting to the afternoon?")
    assert "Sent to the coordinator handling your request K-0001" in parent.said
    await parent.press_label("question for the FAQ")
    assert "Did you mean" in parent.said or "could not find" in parent.said
    # A forged button naming another family's message is refused.
    await world.private(STRANGER).press("v1:tk:faq:1")
    assert world.private(STRANGER).said == ""


async def test_an_emergency_comes_first_and_the_holder_is_told(world: World) -> None:
    await claimed_by_a(world)
    parent = world.parent
    await parent.text("He is not breathing properly")
    replies = parent.last.replies if parent.last else []
    assert "119" in replies[0].text and "Sent to the coordinator" in replies[-1].text
    [to_a] = world.to(A, await world.deliver())
    assert "emergency numbers (119)" in to_a.text


async def test_an_urgent_message_on_an_unheld_ticket_alerts_the_group(world: World) -> None:
    await announced(world)
    await world.parent.text("She is not breathing!")
    [alert] = world.to(GROUP, await world.deliver())
    assert "may be urgent" in alert.text and alert.button("v1:dk:c:1")
    assert "breathing" not in alert.text  # what the family wrote stays out of the group


async def test_a_stranger_is_refused_politely_and_logged(world: World) -> None:
    notice = await announced(world)
    stranger = world.private(STRANGER)
    await stranger.command("queue")
    assert stranger.said == "Sorry, this is only for the desk's coordinators."
    in_group = world.group(STRANGER)
    await in_group.press(notice.button("v1:dk:c"), notice)
    assert in_group.toast == "Sorry, this is only for the desk's coordinators."
    await in_group.command("claim", "K-0001")
    assert "only for the desk's coordinators" in in_group.said
    staff = world.private(STAFF)  # on the roster, but not a coordinator
    await staff.command("ticket", "K-0001")
    assert staff.said == "Sorry, this is only for the desk's coordinators."
    denied = await world.rows("SELECT actor, subject FROM audit WHERE action = 'denied'")
    assert [(d["actor"], d["subject"]) for d in denied] == [
        (tg(STRANGER), "/queue"), (tg(STRANGER), "button:dk"), (tg(STRANGER), "/claim"),
        (tg(STAFF), "/ticket")]
    [ticket] = await world.rows("SELECT assignee FROM tickets")
    assert ticket["assignee"] is None


async def test_a_stranger_in_the_group_hears_it_once_in_a_while(world: World) -> None:
    await announced(world)
    in_group = world.group(STRANGER)
    await in_group.command("claim", "K-0001")
    assert "only for the desk's coordinators" in in_group.said
    for command in ("queue", "mine", "close", "queue"):  # trying again: nothing more posted
        await in_group.command(command)
        assert in_group.last is not None and in_group.last.replies == []
    other = world.group(STAFF)  # someone else hears it once too
    await other.command("queue")
    assert "only for the desk's coordinators" in other.said
    world.clock.advance(hours=1)
    await in_group.command("queue")
    assert "only for the desk's coordinators" in in_group.said
    # Every attempt is still in the audit log; a private chat is answered every time.
    denied = await world.rows("SELECT actor FROM audit WHERE action = 'denied'")
    assert len(denied) == 7
    private = world.private(STRANGER)
    for _ in range(2):
        await private.command("queue")
        assert private.said == "Sorry, this is only for the desk's coordinators."


async def test_queue_and_mine_list_open_tickets_urgent_first(world: World) -> None:
    await send_request(world.parent)
    other = world.private(6262)
    await send_request(other, name="Taro")
    # Make the second one urgent (a discharge soon, say).
    async with world.services.db.transaction() as tx:
        await tx.conn.execute("UPDATE tickets SET priority = 'high' WHERE reference = 'K-0002'")
    a = world.private(A)
    await a.command("queue")
    lines = a.said.splitlines()
    assert lines[0] == "Open tickets: 2"
    assert lines[1].startswith("🔴 K-0002") and lines[3].startswith("🟢 K-0001")
    assert_nothing_personal(a.said)
    await a.command("claim", "K-0001")
    await a.command("mine")
    assert "Your tickets: 1" in a.said and "K-0001" in a.said and "K-0002" not in a.said


async def test_notes_stay_with_the_coordinators(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("note", "K-0001 Talked with the hospital social worker")
    assert "Note added to K-0001" in a.said
    in_group = world.group(A)
    await in_group.command("note", "K-0001 in the group")
    assert "works only in a private chat" in in_group.said
    await a.command("ticket", "K-0001")
    assert "Note by Aoki: Talked with the hospital social worker" in a.said
    assert world.to(PARENT, await world.deliver()) == []
    entries = await world.rows("SELECT kind, text FROM ticket_entries")
    assert entries == [{"kind": "note", "text": "Talked with the hospital social worker"}]


async def test_close_then_the_family_reopens_within_the_window(world: World) -> None:
    notice = await claimed_by_a(world)
    a = world.private(A)
    await a.command("close", "K-0001")
    assert "How did K-0001 end?" in a.said
    await a.press("v1:dk:x:1:resolved")
    assert a.toast == "K-0001 is closed. The family can reopen it within 14 days."
    sent = await world.deliver()
    [closed] = world.to(PARENT, sent)
    assert "Your request K-0001 is closed" in closed.text
    [edit] = world.to(GROUP, sent)
    assert edit.method == "edit" and edit.message_id == notice.message_id
    assert "Closed (resolved)" in edit.text and edit.buttons == []

    # Closed: the family's words go to the FAQ again, not to the ticket.
    parent = world.parent
    await parent.text("How do I start visiting nursing with a nurse?")
    assert "A nurse visits your home." in parent.said

    world.clock.advance(days=3)
    await parent.press(closed.button("v1:tk:ro"))
    assert "Your request K-0001 is open again" in parent.said
    sent = await world.deliver()
    assert [s.text for s in world.to(A, sent)] == ["K-0001: the family reopened their request."]
    [ticket] = await world.rows("SELECT status, assignee, closed_at, outcome FROM tickets")
    assert ticket == {"status": "assigned", "assignee": tg(A), "closed_at": None, "outcome": None}


async def test_reopening_is_refused_after_the_window_and_for_others(world: World) -> None:
    await claimed_by_a(world)
    await world.private(A).command("close", "K-0001 referred to the health center")
    sent = await world.deliver()
    [closed] = world.to(PARENT, sent)
    world.clock.advance(days=15)
    parent = world.parent
    await parent.press(closed.button("v1:tk:ro"))
    assert "can no longer be reopened" in parent.said
    await world.private(STRANGER).press(closed.button("v1:tk:ro"))
    [ticket] = await world.rows("SELECT status, outcome FROM tickets")
    assert ticket == {"status": "closed", "outcome": "referred"}
    # The words after the outcome are kept as a note.
    notes = await world.rows("SELECT text FROM ticket_entries WHERE kind = 'note'")
    assert notes == [{"text": "to the health center"}]
    # A coordinator can still reopen it.
    a = world.private(A)
    await a.command("reopen", "K-0001")
    assert a.said == "K-0001 is open again."


async def test_release_and_reassign(world: World) -> None:
    notice = await claimed_by_a(world)
    b = world.private(B)
    await b.command("start")
    await b.command("release", "K-0001")
    assert b.said == "K-0001 is held by Aoki; only they or a supervisor can do that."

    a = world.private(A)
    await a.press("v1:dk:r:1")  # the button under the details
    assert a.toast == "K-0001 is back in the queue for another coordinator."
    [edit] = world.to(GROUP, await world.deliver())
    assert edit.message_id == notice.message_id and "Not taken yet" in edit.text
    assert edit.button("v1:dk:c:1")

    supervisor = world.private(SUPERVISOR)
    await supervisor.command("assign", "K-0001 bab")  # a unique start of a name will do
    assert supervisor.said == "K-0001 is now held by Baba."
    sent = await world.deliver()
    [details] = world.to(B, sent)
    assert "Hanako Chiyoda" in details.text
    assert "Held by Baba" in world.to(GROUP, sent)[0].text
    actions = await world.rows("SELECT actor, action FROM audit WHERE action LIKE 'ticket.%'"
                               " ORDER BY id")
    assert [(r["actor"], r["action"]) for r in actions][-3:] == [
        (tg(A), "ticket.release"), (tg(SUPERVISOR), "ticket.reassign"),
        (tg(B), "ticket.read")]


async def test_withdrawal_updates_the_group_and_tells_the_holder(world: World) -> None:
    notice = await claimed_by_a(world)
    parent = world.parent
    await parent.command("withdraw")
    await parent.press_label("Yes, withdraw and delete")
    sent = await world.deliver()
    assert [s.text for s in world.to(A, sent)] == [
        "K-0001 was withdrawn by the family; its details are deleted."]
    [edit] = world.to(GROUP, sent)
    assert edit.message_id == notice.message_id and "Withdrawn by the family" in edit.text
    assert await world.rows("SELECT * FROM ticket_entries") == []
    a = world.private(A)
    await a.command("reply", "K-0001 hello?")
    assert "withdrawn by the family" in a.said


async def test_out_of_hours_the_family_hears_when_the_desk_opens(world: World) -> None:
    await claimed_by_a(world)
    world.clock.advance(hours=11)  # 21:00 in Tokyo
    parent = world.parent
    # While the ward has not confirmed its hours, nothing is said that could be false.
    await parent.text("Are you there?")
    assert "closed now" not in parent.said
    assert "read on business days, during the desk's hours (still being confirmed)" in parent.said
    source = fake_source(world.services.engine.deps)
    source.content = with_confirmed_hours(source.content)
    await parent.text("Are you there?")
    assert "The desk is closed now and opens again on Wed, Nov 25, 2026, 9:00 AM" in parent.said


async def test_the_roster_is_kept_by_staff(world: World) -> None:
    staff = world.private(STAFF)
    await staff.command("roster", "add 2002 kodomo_hattatsu coordinator supervisor")
    assert "2002" in staff.said and "coordinator, supervisor" in staff.said
    await staff.command("roster", "name 2002 Suzuki")
    await staff.command("roster")
    assert "Suzuki" in staff.said and "Aoki" in staff.said
    await staff.command("roster", "remove 2002")
    assert "2002 is off the roster" in staff.said
    removed = world.private(2002)
    await removed.command("queue")
    assert removed.said == "Sorry, this is only for the desk's coordinators."
    coordinator = world.private(A)
    await coordinator.command("roster")  # staff only: to others an unknown command
    assert "I don't know the command /roster" in coordinator.said
    changes = await world.rows("SELECT action, subject FROM audit WHERE action LIKE 'roster.%'")
    assert [c["action"] for c in changes] == ["roster.put", "roster.name", "roster.remove"]


def test_references_are_read_as_people_type_them() -> None:
    assert parse_reference("K-0042") == parse_reference("k42") == "K-0042"
    assert parse_reference("Ｋ－００４２") == parse_reference("42") == "K-0042"
    assert parse_reference("hello") is None and parse_reference("K-0") is None
    assert split_reference("K-0042\nHello\nthere") == ("K-0042", "Hello\nthere")
    assert split_reference("Hello") == (None, "Hello")
    assert references_in("🟢 New request K-0042 … K-0007, K-0042") == ["K-0042", "K-0007"]
