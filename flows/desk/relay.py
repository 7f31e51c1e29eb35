"""Messages between a family and the coordinator holding their ticket.

A coordinator writes with /reply K-0042 … or by answering one of the bot's messages about
the ticket; the family receives it from the bot, signed with the office's name, never from
the coordinator's own account. While a family has an open ticket, what they type goes to
that ticket: straight to the holder, or kept on the ticket until someone takes it.

The FAQ stays at hand. A question the FAQ answers confidently is answered at once — a
family should not wait for office hours to learn what a card is for — with a button to
pass the same words to the coordinator as well; the words wait in the session until then.
Anything else is relayed, and its confirmation carries a “That was a question for the
FAQ” button. Emergency guidance still comes first (the engine checks before anything is
relayed), and an emergency is always relayed, never answered from the FAQ instead.
Everything goes through the outbox, so it survives a restart and respects Telegram's pace.
"""

from __future__ import annotations

from content.base import format_moment
from flows import callbacks
from flows.business_hours import is_open, next_opening
from flows.desk.context import DeskTurn, enqueue
from flows.faq import FaqFlow
from flows.model import Button
from flows.ports import CoordinatorStore, RelayStore
from flows.records import TICKET_CLOSED, DeskTicket
from flows.text import join_lines
from flows.turn import Turn

# Callback prefix of the family's buttons (v1:tk:faq:17, v1:tk:ro:42).
FAMILY_BUTTON = "tk"
AS_QUESTION, REOPEN, PASS_ON = "faq", "ro", "fw"
# The session key holding a question answered from the FAQ until the family passes it on.
HELD = "held_for_coordinator"
# Room for the signature and the reference within Telegram's 4096 characters.
MAX_RELAY_CHARS = 3500


def _clip(text: str) -> tuple[str, bool]:
    text = text.strip()
    return (text, False) if len(text) <= MAX_RELAY_CHARS else (text[:MAX_RELAY_CHARS], True)


async def to_family(d: DeskTurn, ticket: DeskTicket, text: str) -> None:
    ref = ticket.reference
    if not text.strip():
        d.tell(d._("Write the message after the reference: /reply {reference} your text.").format(
            reference=ref))
        return
    if ticket.details is None or not ticket.is_open:
        if ticket.status == TICKET_CLOSED and ticket.details is not None:
            d.tell(d._("{reference} is closed. /reopen {reference} first to write to the"
                       " family.").format(reference=ref))
        else:
            d.tell(d._("{reference} was withdrawn by the family; its details are deleted.")
                   .format(reference=ref))
        return
    if ticket.assignee != d.member.user_id:
        if ticket.assignee is None:
            d.tell(d._("Take {reference} first, so the family knows who is answering.").format(
                reference=ref))
        else:
            d.tell(d._("{reference} is held by {name}; only they write to the family.").format(
                reference=ref, name=await d.name_of(ticket.assignee)))
        return
    body, clipped = _clip(text)
    entry_id = await d.store.desk.add_entry(ticket.id, "coordinator", body, d.now,
                                            d.member.user_id)
    await d.enqueue("message_to_family", ticket, entry=entry_id,
                    office=d.member.office or ticket.office)
    await d.audit("ticket.reply", ticket)
    done = d._("Sent to the family of {reference}, signed with the office's name.").format(
        reference=ref)
    if clipped:
        done += "\n" + d._("Only the first {n} characters were sent.").format(n=MAX_RELAY_CHARS)
    d.tell(done)


async def from_family(turn: Turn[RelayStore], text: str, *, emergency: bool, faq: FaqFlow) -> bool:
    """Answer or relay a family's free text while they have an open ticket; False when
    they have none."""
    ticket = await turn.store.desk.latest_for_subject(turn.session.key)
    if ticket is None or not ticket.is_open:
        return False
    entry = None if emergency else faq.confident_entry(turn, text)
    if entry is not None:
        # A number per held message, so that an older answer's button never passes on
        # a newer message.
        number = int(turn.session.data.get(HELD, {}).get("n", 0)) + 1
        turn.session.data[HELD] = {"n": number, "text": _clip(text)[0]}
        pass_on = Button(
            label=turn._("📨 Send this to my coordinator too ({reference})").format(
                reference=ticket.reference),
            data=callbacks.encode(FAMILY_BUTTON, PASS_ON, str(number)),
            role="confirm",
        )
        await faq.answer_with(turn, entry, ((pass_on,),))
        return True
    await _relay(turn, ticket, text, emergency=emergency)
    return True


async def _relay(
    turn: Turn[CoordinatorStore], ticket: DeskTicket, text: str, *, emergency: bool,
    offer_faq: bool = True,
) -> None:
    _ = turn._
    now = turn.deps.clock.now()
    body, clipped = _clip(text)
    entry_id = await turn.store.desk.add_entry(ticket.id, "family", body, now)
    ref = ticket.reference
    if ticket.assignee is not None:
        await enqueue(turn.store.outbox, now, "message_from_family", ticket,
                      recipient=ticket.assignee, entry=entry_id, emergency=emergency)
        lines = [_("✉️ Sent to the coordinator handling your request {reference}.").format(
            reference=ref)]
    else:
        if emergency:
            # Nobody holds it yet: the group hears that something urgent came in (not what).
            await enqueue(turn.store.outbox, now, "ticket_reminder", ticket, reason="urgent")
        lines = [_("✉️ Added to your request {reference}. A coordinator will read it when they"
                   " take up your request.").format(reference=ref)]
    if clipped:
        lines.append(_("Your message was long: its first {n} characters were passed on.").format(
            n=MAX_RELAY_CHARS))
    hours = turn.content.routing.desk_hours
    if not hours.reviewed:
        # Until the ward confirms its hours, "closed now" could be false: say what holds.
        lines.append(_("Messages here are read on business days, during the desk's hours (still"
                       " being confirmed); in an emergency call 119."))
    elif not is_open(now, hours):
        lines.append(_("The desk is closed now and opens again on {when}. Until then nobody"
                       " reads messages here; in an emergency call 119.").format(
            when=format_moment(next_opening(now, hours), turn.locale)))
    as_question = (
        (Button(label=_("❓ That was a question for the FAQ"),
                data=callbacks.encode(FAMILY_BUTTON, AS_QUESTION, str(entry_id)), role="choice"),),
    )
    turn.say(join_lines(lines), as_question if offer_faq else ())


class FamilyButtons:
    """The family's buttons: answer a relayed message from the FAQ, reopen a closed ticket."""

    def __init__(self, faq: FaqFlow) -> None:
        self.faq = faq

    async def handle(self, turn: Turn[RelayStore], parts: tuple[str, ...]) -> None:
        if len(parts) == 2 and parts[0] == AS_QUESTION and parts[1].isdigit():
            await self._as_question(turn, int(parts[1]))
        elif len(parts) == 2 and parts[0] == REOPEN and parts[1].isdigit():
            await self._reopen(turn, int(parts[1]))
        elif len(parts) == 2 and parts[0] == PASS_ON and parts[1].isdigit():
            await self._pass_on(turn, int(parts[1]))
        else:
            self._stale(turn)

    def _stale(self, turn: Turn) -> None:
        turn.toast = turn._("This button no longer works.")
        turn.say(turn._("That button no longer works."))

    async def _own(self, turn: Turn[CoordinatorStore], ticket_id: int) -> DeskTicket | None:
        # Button data can be forged: the ticket must be this person's own.
        ticket = await turn.store.desk.get(ticket_id)
        if ticket is None or ticket.details is None:
            return None
        return ticket if ticket.details.subject == turn.session.key else None

    async def _as_question(self, turn: Turn[RelayStore], entry_id: int) -> None:
        entry = await turn.store.desk.entry(entry_id)
        ticket = await self._own(turn, entry.ticket_id) if entry else None
        if entry is None or ticket is None or entry.kind != "family":
            self._stale(turn)
            return
        await self.faq.answer_free_text(turn, entry.text, after_emergency=False)

    async def _pass_on(self, turn: Turn[CoordinatorStore], number: int) -> None:
        """Relay a question the FAQ answered, now that the family asks for it."""
        held = turn.session.data.get(HELD)
        if not isinstance(held, dict) or held.get("n") != number or not held.get("text"):
            self._stale(turn)
            return
        ticket = await turn.store.desk.latest_for_subject(turn.session.key)
        if ticket is None or not ticket.is_open:
            turn.session.data.pop(HELD, None)
            turn.say(turn._("Your request is no longer open, so nothing was sent. You can send"
                            " a new request from the menu at any time."))
            return
        turn.session.data.pop(HELD, None)
        await _relay(turn, ticket, str(held["text"]), emergency=False, offer_faq=False)

    async def _reopen(self, turn: Turn[CoordinatorStore], ticket_id: int) -> None:
        ticket = await self._own(turn, ticket_id)
        now = turn.deps.clock.now()
        if ticket is None:
            self._stale(turn)
            return
        _ = turn._
        ref = ticket.reference
        if ticket.is_open:
            turn.say(_("Your request {reference} is open: write here and the coordinators will"
                       " read it.").format(reference=ref))
            return
        limit = turn.deps.desk.reopen_days
        closed_at = ticket.closed_at
        if (ticket.status != TICKET_CLOSED or closed_at is None
                or (now - closed_at).days >= limit
                or not await turn.store.desk.reopen(ticket.id, now)):
            turn.say(_("Request {reference} can no longer be reopened. You can send a new"
                       " request from the menu at any time.").format(reference=ref))
            return
        ticket = await turn.store.desk.get(ticket.id) or ticket
        await turn.store.audit.write(at=now, actor="family", action="ticket.reopen",
                                     subject=ref)
        await enqueue(turn.store.outbox, now, "desk_notice", ticket, recipient=ticket.assignee,
                      event="reopened_by_family")
        if ticket.group_message_id is not None:
            await enqueue(turn.store.outbox, now, "group_refresh", ticket)
        turn.toast = _("Reopened.")
        turn.say(_("Your request {reference} is open again. Write here what you need; the"
                   " coordinators will read it.").format(reference=ref))
