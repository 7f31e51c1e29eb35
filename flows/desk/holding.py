"""Holding tickets: claim, release, reassign, close and reopen, and what each one tells whom.

Every change is compare-and-set in storage (the first coordinator to press wins), goes to
the audit log, updates the ticket's message in the group, and reaches the family through
the outbox when it concerns them (taken, closed, open again).
"""

from __future__ import annotations

from flows import callbacks
from flows.desk.context import DeskTurn
from flows.desk.views import (
    CLOSE,
    DESK_BUTTON,
    OUTCOME_LABELS,
    group_notice,
)
from flows.model import Button
from flows.records import TICKET_CLOSED, TICKET_OUTCOMES, DeskTicket, RosterMember, TicketOutcome
from flows.text import esc


async def reload(d: DeskTurn, ticket: DeskTicket) -> DeskTicket:
    return await d.store.desk.get(ticket.id) or ticket


async def refresh_group(d: DeskTurn, ticket: DeskTicket) -> None:
    """Show the ticket's new state in the group: edit the pressed message right away when
    the press came from it, otherwise leave it to the outbox worker."""
    inbound = d.turn.inbound
    message_id = ticket.group_message_id
    if d.in_group and d.pressed and message_id is not None and inbound.message_id == message_id:
        tickets = await d.store.desk.on_group_message(message_id)
        notice = group_notice(tickets, d.turn.content, await d.names(), d.t, d.now)
        d.turn.replies.append(notice.model_copy(update={"edit_message_id": message_id}))
        return
    if message_id is not None or await d.store.desk.notice_pending(ticket.id):
        await d.enqueue("group_refresh", ticket)


def explain_closed(d: DeskTurn, ticket: DeskTicket) -> None:
    if ticket.status == TICKET_CLOSED:
        d.tell(d._("{reference} is closed. /reopen {reference} opens it again.").format(
            reference=ticket.reference))
    else:
        d.tell(d._("{reference} was withdrawn by the family; its details are deleted.").format(
            reference=ticket.reference))


async def send_details(d: DeskTurn, ticket: DeskTicket, holder: RosterMember) -> None:
    """The details go to the holder's private chat, or the group is told how to open one."""
    if holder.private_chat:
        await d.enqueue("ticket_details", ticket, recipient=holder.user_id)
        return
    text = d._("{name}: to receive the details of {reference}, open a private chat with me"
               " (tap my name, then Start), then press “Details” on the ticket.").format(
        name=esc(await d.name_of(holder.user_id)), reference=ticket.reference)
    if d.in_group:
        d.say(text)
    else:
        await d.enqueue("desk_notice", ticket, event="open_private_chat", user=holder.user_id)


async def claim(d: DeskTurn, ticket: DeskTicket) -> None:
    ref = ticket.reference
    if not ticket.is_open:
        explain_closed(d, ticket)
        await refresh_group(d, ticket)
        return
    if ticket.assignee == d.member.user_id:
        d.tell(d._("You already hold {reference}.").format(reference=ref))
        return
    if ticket.assignee is not None or not await d.store.desk.claim(ticket.id, d.member.user_id,
                                                                   d.now):
        holder = (await reload(d, ticket)).assignee
        d.tell(d._("Sorry, {reference} is already held by {name}.").format(
            reference=ref, name=await d.name_of(holder)))
        return
    ticket = await reload(d, ticket)
    await d.audit("ticket.claim", ticket)
    await d.enqueue("family_notice", ticket, event="taken", office=d.member.office)
    await send_details(d, ticket, d.member)
    await refresh_group(d, ticket)
    if d.member.private_chat:
        d.tell(d._("You hold {reference} now. The details are on their way to our private"
                   " chat.").format(reference=ref))
    else:
        d.tell(d._("You hold {reference} now.").format(reference=ref))


async def details(d: DeskTurn, ticket: DeskTicket) -> None:
    """The group's “Details” button: to the holder's private chat, to nobody else."""
    ref = ticket.reference
    if not ticket.is_open:
        explain_closed(d, ticket)
        return
    if ticket.assignee is None:
        d.tell(d._("Take {reference} first; its details then come to you in a private"
                   " chat.").format(reference=ref))
        return
    if ticket.assignee != d.member.user_id:
        d.tell(d._("Only {name}, who holds {reference}, receives its details.").format(
            name=await d.name_of(ticket.assignee), reference=ref))
        await d.audit("denied", ticket, "details")
        return
    await send_details(d, ticket, d.member)
    if d.member.private_chat:
        d.tell(d._("The details of {reference} are on their way to our private chat.").format(
            reference=ref))


def may_manage(d: DeskTurn, ticket: DeskTicket) -> bool:
    """The holder and the supervisors may release, hand over or close a held ticket;
    anyone at the desk may handle one nobody holds."""
    return ticket.assignee in (None, d.member.user_id) or d.member.supervisor


async def _refuse_manage(d: DeskTurn, ticket: DeskTicket) -> None:
    d.tell(d._("{reference} is held by {name}; only they or a supervisor can do that.").format(
        reference=ticket.reference, name=await d.name_of(ticket.assignee)))
    await d.audit("denied", ticket, "manage")


async def release(d: DeskTurn, ticket: DeskTicket) -> None:
    ref = ticket.reference
    if not ticket.is_open:
        explain_closed(d, ticket)
        return
    if ticket.assignee is None:
        d.tell(d._("Nobody holds {reference}.").format(reference=ref))
        return
    if not may_manage(d, ticket):
        await _refuse_manage(d, ticket)
        return
    if not await d.store.desk.reassign(ticket.id, expected=ticket.assignee, to=None, at=d.now):
        d.tell(d._("{reference} changed meanwhile; please look again.").format(reference=ref))
        return
    ticket = await reload(d, ticket)
    await d.audit("ticket.release", ticket)
    await refresh_group(d, ticket)
    d.tell(d._("{reference} is back in the queue for another coordinator.").format(
        reference=ref))


async def reassign(d: DeskTurn, ticket: DeskTicket, to: RosterMember) -> None:
    ref = ticket.reference
    if not ticket.is_open:
        explain_closed(d, ticket)
        return
    if ticket.assignee is None and not d.member.supervisor and to.user_id != d.member.user_id:
        d.tell(d._("Only a supervisor can hand a ticket nobody holds to someone else; take it"
                   " yourself, or ask a supervisor."))
        return
    if not may_manage(d, ticket):
        await _refuse_manage(d, ticket)
        return
    if ticket.assignee == to.user_id:
        d.tell(d._("{name} already holds {reference}.").format(
            name=esc(await d.name_of(to.user_id)), reference=ref))
        return
    if not await d.store.desk.reassign(ticket.id, expected=ticket.assignee, to=to.user_id,
                                       at=d.now):
        d.tell(d._("{reference} changed meanwhile; please look again.").format(reference=ref))
        return
    ticket = await reload(d, ticket)
    await d.audit("ticket.reassign", ticket, f"to {to.user_id}")
    await send_details(d, ticket, to)
    await refresh_group(d, ticket)
    d.tell(d._("{reference} is now held by {name}.").format(
        reference=ref, name=esc(await d.name_of(to.user_id))))


def outcome_buttons(d: DeskTurn, ticket: DeskTicket) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(label=d._(OUTCOME_LABELS[code]),
                data=callbacks.encode(DESK_BUTTON, CLOSE, str(ticket.id), code), role="action"),)
        for code in TICKET_OUTCOMES
    )


def parse_outcome(word: str) -> TicketOutcome | None:
    word = word.strip().lower()
    return next((code for code in TICKET_OUTCOMES if code == word), None)


async def close(d: DeskTurn, ticket: DeskTicket, outcome: TicketOutcome | None,
                note: str = "") -> None:
    ref = ticket.reference
    if not ticket.is_open:
        explain_closed(d, ticket)
        return
    if not may_manage(d, ticket):
        await _refuse_manage(d, ticket)
        return
    if outcome is None:
        d.say(d._("How did {reference} end?").format(reference=ref), outcome_buttons(d, ticket))
        return
    if not await d.store.desk.close(ticket.id, outcome, d.now):
        d.tell(d._("{reference} changed meanwhile; please look again.").format(reference=ref))
        return
    if note and ticket.details is not None:
        await d.store.desk.add_entry(ticket.id, "note", note, d.now, d.member.user_id)
    ticket = await reload(d, ticket)
    await d.audit("ticket.close", ticket, outcome)
    await d.enqueue("family_notice", ticket, event="closed")
    await refresh_group(d, ticket)
    d.tell(d._("{reference} is closed. The family can reopen it within {days} days.").format(
        reference=ref, days=d.turn.deps.desk.reopen_days))


async def reopen(d: DeskTurn, ticket: DeskTicket) -> None:
    ref = ticket.reference
    if ticket.status != TICKET_CLOSED:
        if ticket.is_open:
            d.tell(d._("{reference} is open.").format(reference=ref))
        else:
            explain_closed(d, ticket)
        return
    if not await d.store.desk.reopen(ticket.id, d.now):
        d.tell(d._("{reference} cannot be opened again: its details are deleted.").format(
            reference=ref))
        return
    ticket = await reload(d, ticket)
    await d.audit("ticket.reopen", ticket)
    await d.enqueue("family_notice", ticket, event="reopened")
    await refresh_group(d, ticket)
    d.tell(d._("{reference} is open again.").format(reference=ref))
