"""What each outbox row becomes: where it goes and what it says, decided when it is sent.

Rows carry ids only; the words are read from the database at sending time. So a message
whose ticket was withdrawn meanwhile is dropped instead of sent, details always show the
latest state, and nothing a family wrote sits in the outbox. The outbox worker
(bot/outbox_worker.py) does the sending and the pacing; everything it needs to
decide about content is here, Telegram-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from content.base import Translator, format_day, in_tokyo
from content.loader import Content
from flows import callbacks
from flows.address import Address, BadAddress, parse_address
from flows.desk.context import desk_translator, enqueue, roster_names, view_turn
from flows.desk.details import ENTRIES_SHOWN, details_reply
from flows.desk.relay import FAMILY_BUTTON, REOPEN
from flows.desk.sharing import department_name, shared_summary
from flows.desk.views import CLAIM, DESK_BUTTON, group_notice, member_name, office_label
from flows.milestones.delivery import milestone_reply
from flows.milestones.sending import MILESTONE_KIND
from flows.model import Button, Reply
from flows.ports import DeliveryStore, Roster, TicketEntries, TicketLookup
from flows.records import TICKET_NEW, DeskTicket, PendingMessage
from flows.text import BLANK, catalog, esc, join_lines
from flows.turn import Deps

FAMILY_KINDS = frozenset({"message_to_family", "family_notice"})
# Notices that may be combined into one digest message.
DIGESTIBLE = "ticket_new"

# A chat's address, or: not yet (no coordinators' group configured), or never (the ticket's
# details are gone, the family wrote from the console).
Destination = Address | Literal["wait", "drop"]


@dataclass(frozen=True)
class Delivery:
    """One Telegram message (or edit) for one or more outbox rows."""

    rows: tuple[PendingMessage, ...]
    chat_id: Address
    reply: Reply
    # Once Telegram accepted it, these tickets are shown by this message in the group.
    announces: tuple[int, ...] = ()

    @property
    def kind(self) -> str:
        return self.rows[0].kind


def _payload_address(row: PendingMessage, key: str) -> Address | None:
    value = row.payload.get(key)
    try:
        return parse_address(value) if isinstance(value, str) else None
    except BadAddress:
        return None


async def _ticket(row: PendingMessage, tickets: TicketLookup) -> DeskTicket | None:
    return await tickets.get(row.ticket_id) if row.ticket_id is not None else None


async def address(row: PendingMessage, deps: Deps, store: DeliveryStore) -> Destination:
    if row.kind in FAMILY_KINDS or row.kind == MILESTONE_KIND:
        ticket = await _ticket(row, store.desk)
        if ticket is None or ticket.details is None or ticket.details.channel == "console":
            return "drop"  # nothing is pushed to a terminal session
        return ticket.details.chat_id
    if row.kind == "message_from_family":
        # To whoever holds the ticket now (it may have changed hands since).
        ticket = await _ticket(row, store.desk)
        if ticket is None or ticket.assignee is None or ticket.details is None:
            return "drop"  # still on the ticket: the next holder reads it with the details
        return ticket.assignee
    if row.recipient is not None:
        return row.recipient
    group = deps.desk.coordinators_chat
    return group if group is not None else "wait"


def _claim_row(ticket: DeskTicket, t: Translator) -> tuple[Button, ...]:
    return (Button(label=t.gettext("Take {reference}").format(reference=ticket.reference),
                   data=callbacks.encode(DESK_BUTTON, CLAIM, str(ticket.id)), role="action"),)


async def render(rows: Sequence[PendingMessage], chat_id: Address, deps: Deps, store: DeliveryStore,
                 now: datetime) -> Delivery | Literal["wait"] | None:
    """The message for ``rows`` (several only for a digest or repeated refreshes of one
    ticket); None when there is nothing to send any more."""
    kind = rows[0].kind
    t = desk_translator(deps)
    content = deps.content.current()
    if kind == "ticket_new":
        tickets = [x for r in rows
                   if (x := await _ticket(r, store.desk)) and x.group_message_id is None]
        if not tickets:
            return None  # announced already (a duplicate row)
        notice = group_notice(tickets, content, await roster_names(store.roster), t, now)
        return Delivery(tuple(rows), chat_id, notice, tuple(x.id for x in tickets))
    ticket = await _ticket(rows[0], store.desk)
    if ticket is None and kind != "desk_notice":
        return None
    if kind == "group_refresh":
        assert ticket is not None
        if ticket.group_message_id is None:
            return "wait" if await store.desk.notice_pending(ticket.id) else None
        shown = await store.desk.on_group_message(ticket.group_message_id)
        notice = group_notice(shown, content, await roster_names(store.roster), t, now)
        edit = notice.model_copy(update={"edit_message_id": ticket.group_message_id})
        return Delivery(tuple(rows), chat_id, edit)
    reply = await _single(rows[0], ticket, deps, store, t, now)
    return Delivery(tuple(rows[:1]), chat_id, reply) if reply is not None else None


async def _single(row: PendingMessage, ticket: DeskTicket | None, deps: Deps,
                  store: DeliveryStore, t: Translator, now: datetime) -> Reply | None:
    _ = catalog(t.gettext)
    content = deps.content.current()
    ref = esc(ticket.reference) if ticket else ""
    if row.kind == "ticket_details" and ticket is not None:
        if not ticket.is_open or ticket.assignee != row.recipient:
            return None  # no longer theirs to read
        entries = await store.desk.entries(ticket.id, ENTRIES_SHOWN) if ticket.details else []
        view = view_turn(deps, store, deps.desk.locale)
        return details_reply(ticket, entries, await roster_names(store.roster), view, now)
    if row.kind == "ticket_shared" and ticket is not None:
        names = await roster_names(store.roster)
        view = view_turn(deps, store, deps.desk.locale)
        return shared_summary(ticket, str(row.payload.get("department") or ""),
                              member_name(names, _payload_address(row, "by"), t), view, now)
    if row.kind == "ticket_reminder" and ticket is not None:
        if ticket.status != TICKET_NEW or ticket.assignee is not None:
            return None
        if row.payload.get("reason") == "urgent":
            text = _("⚠️ The family of {reference} wrote a message that may be urgent, and nobody"
                     " holds {reference} yet. Please take it.").format(reference=ref)
        else:
            text = _("⏰ {reference} has waited {hours} business hours for a coordinator. Can"
                     " someone take it?").format(
                reference=ref, hours=f"{deps.desk.remind_after_hours:g}")
        return Reply(text=text, buttons=(_claim_row(ticket, t),), keep_buttons=True)
    if row.kind == "ticket_escalation" and ticket is not None:
        if ticket.status != TICKET_NEW or ticket.assignee is not None:
            return None
        return Reply(text=_("🚨 <b>{reference}</b> ({office}) still has no coordinator, even"
                            " after a reminder in the group. Please see that someone takes"
                            " it.").format(
            reference=ref, office=esc(office_label(ticket.office, content, t.locale))),
            buttons=(_claim_row(ticket, t),), keep_buttons=True)
    if row.kind == "ticket_withdrawn":
        reference = esc(str(row.payload.get("reference") or ""))
        return Reply(text=_("{reference} was withdrawn by the family; its details are"
                            " deleted.").format(reference=reference))
    if row.kind == "desk_notice":
        return await _desk_notice(row, ticket, store.roster, t, content)
    if row.kind == "message_from_family" and ticket is not None:
        entry = await store.desk.entry(int(row.payload.get("entry") or 0))
        if entry is None:
            return None
        lines = [_("💬 <b>{reference}</b>: from the family").format(reference=ref),
                 esc(entry.text)]
        if row.payload.get("emergency"):
            lines.append(_("⚠️ The bot showed them the emergency numbers (119) for this"
                           " message."))
        return Reply(text=join_lines(lines))
    if row.kind in FAMILY_KINDS and ticket is not None and ticket.details is not None:
        return await _to_family(row, ticket, deps, store.desk)
    if row.kind == MILESTONE_KIND and ticket is not None:
        return await milestone_reply(row, ticket, deps, store.consents)
    return None


async def _desk_notice(row: PendingMessage, ticket: DeskTicket | None, roster: Roster,
                       t: Translator, content: Content) -> Reply | None:
    _ = catalog(t.gettext)
    ref = esc(ticket.reference) if ticket else ""
    event = row.payload.get("event")
    if event == "open_private_chat":
        name = member_name(await roster_names(roster), _payload_address(row, "user"), t)
        return Reply(text=_("{name}: to receive the details of {reference}, open a private chat"
                            " with me (tap my name, then Start), then press “Details” on the"
                            " ticket.").format(name=esc(name), reference=ref))
    if event == "partner_unreachable":
        department = department_name(content, str(row.payload.get("department") or ""),
                                     t.locale)
        return Reply(text=_("{reference}: the summary could not reach a partner of {department}"
                            " (they may have blocked the bot). Nothing else was sent to"
                            " them.").format(reference=ref, department=department))
    if event == "reopened_by_family":
        return Reply(text=_("{reference}: the family reopened their request.").format(
            reference=ref))
    if event == "family_unreachable":
        return Reply(text=_("{reference}: a message could not reach the family in the chat"
                            " (they may have blocked the bot). Please contact them another"
                            " way.").format(reference=ref))
    return None


async def _to_family(row: PendingMessage, ticket: DeskTicket, deps: Deps,
                     entries: TicketEntries) -> Reply | None:
    assert ticket.details is not None
    t = deps.translations.for_locale(ticket.details.locale)
    _ = catalog(t.gettext)
    content = deps.content.current()
    ref = esc(ticket.reference)
    office = esc(office_label(str(row.payload.get("office") or ticket.office), content,
                              t.locale))
    if row.kind == "message_to_family":
        entry = await entries.entry(int(row.payload.get("entry") or 0))
        if entry is None:
            return None
        return Reply(text=join_lines([
            _("🏢 <b>{office}</b> (request {reference})").format(office=office, reference=ref),
            BLANK,
            esc(entry.text),
            BLANK,
            _("<i>You can answer here in this chat.</i>"),
        ]))
    event = row.payload.get("event")
    if event == "taken":
        return Reply(text=_("A coordinator at {office} has taken up your request {reference}"
                            " and will contact you. Anything you write here reaches them.")
                     .format(office=office, reference=ref))
    if event == "reopened":
        return Reply(text=_("Your request {reference} is open again. Anything you write here"
                            " reaches the coordinators.").format(reference=ref))
    if event == "closed" and ticket.closed_at is not None:
        until = in_tokyo(ticket.closed_at + timedelta(days=deps.desk.reopen_days)).date()
        return Reply(
            text=join_lines([
                _("Your request {reference} is closed. Thank you for contacting the desk.")
                .format(reference=ref),
                _("If you still need help with it, press “Reopen my request” by {day}; for"
                  " something new, send a new request from the menu.").format(
                    day=format_day(until, t.locale)),
            ]),
            buttons=((Button(label=_("Reopen my request"),
                             data=callbacks.encode(FAMILY_BUTTON, REOPEN, str(ticket.id)),
                             role="action"),),),
            # The family may come back to it any day until the request is archived.
            keep_buttons=True,
        )
    return None


async def delivered(delivery: Delivery, message_id: int | None, deps: Deps, store: DeliveryStore,
                    now: datetime) -> None:
    """What follows once Telegram accepted a delivery (same transaction as marking it sent)."""
    kind = delivery.kind
    row = delivery.rows[0]
    if delivery.announces and message_id is not None:
        await store.desk.set_group_message(list(delivery.announces), message_id)
    elif kind == "ticket_details" and row.recipient is not None:
        await store.audit.write(at=now, actor=str(row.recipient), action="ticket.read",
                                subject=str(row.payload.get("reference")),
                                detail="sent to the private chat")
    elif kind == "ticket_shared" and row.recipient is not None:
        await store.audit.write(at=now, actor=str(row.payload.get("by")),
                                action="ticket.share.delivered",
                                subject=str(row.payload.get("reference")),
                                detail=f"{row.payload.get('department')} to {row.recipient}")
    elif kind == "ticket_withdrawn":
        ticket = await _ticket(row, store.desk)
        if ticket is not None and ticket.group_message_id is not None:
            await enqueue(store.outbox, now, "group_refresh", ticket)


async def undeliverable(
    delivery: Delivery, deps: Deps, store: DeliveryStore, now: datetime
) -> None:
    """Telegram refused the chat for good (never opened, blocked): tell someone who can act."""
    row = delivery.rows[0]
    ticket = await _ticket(row, store.desk)
    if row.kind in ("ticket_details", "message_from_family") and ticket is not None:
        await enqueue(store.outbox, now, "desk_notice", ticket, event="open_private_chat",
                      user=delivery.chat_id)
    elif row.kind == "ticket_shared" and ticket is not None:
        await enqueue(store.outbox, now, "desk_notice", ticket,
                      recipient=_payload_address(row, "by"),
                      event="partner_unreachable", department=row.payload.get("department"))
    elif row.kind == "ticket_escalation" and row.recipient is not None and ticket is not None:
        await enqueue(store.outbox, now, "ticket_escalation", ticket)  # to the group instead
    elif row.kind in FAMILY_KINDS and ticket is not None:
        await enqueue(store.outbox, now, "desk_notice", ticket, recipient=ticket.assignee,
                      event="family_unreachable")
