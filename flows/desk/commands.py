"""The coordinators' commands and buttons.

A command names its ticket (``/close K-0042``), or is sent as a reply to one of the bot's
messages about a ticket, which names it instead. Details and notes are for private chats
only; everything else works in the group too, where nothing personal is shown.
"""

from __future__ import annotations

from content.base import N_
from flows.address import BadAddress, typed_address, typed_form
from flows.desk import holding, relay
from flows.desk.context import DeskTurn, view_turn
from flows.desk.details import ENTRIES_SHOWN, details_reply
from flows.desk.refs import references_in, split_reference
from flows.desk.views import CLAIM, CLOSE, DETAILS, RELEASE, summary_line
from flows.records import DeskTicket, RosterMember
from flows.text import BLANK, Html, esc, join_lines, markup

# (command, arguments, what it does): the /desk overview, in this order.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("desk", "", N_("the desk's commands")),
    ("queue", "", N_("open tickets, urgent and oldest first")),
    ("mine", "", N_("the tickets you hold")),
    ("claim", "REF", N_("take a ticket")),
    ("ticket", "REF", N_("a ticket's details (private chat only)")),
    ("reply", "REF text", N_("write to the family, signed with the office's name")),
    ("note", "REF text", N_("an internal note the family never sees (private chat only)")),
    ("release", "REF", N_("give a ticket back to the queue")),
    ("assign", "REF name", N_("hand a ticket to another coordinator")),
    ("close", "REF [outcome]", N_("close it: resolved, referred, unreachable or other")),
    ("reopen", "REF", N_("open a closed ticket again")),
    ("need", "REF code [note]", N_("record a need or problem found (private chat only)")),
    ("needs", "REF", N_("a ticket's needs and problems, with their status (private chat only)")),
    ("needstatus", "REF code status", N_("set one: open, progress, resolved or council")),
    ("share", "REF department", N_("send the summary to a related department's partners (only"
                                   " with the family's consent)")),
    ("families", "[REF]", N_("the families known to the desk, or one of them (private chat"
                             " only)")),
)
QUEUE_SHOWN = 30


async def _ticket(d: DeskTurn, args: tuple[str, ...], usage: str
                  ) -> tuple[DeskTicket, str] | None:
    """The ticket a command is about, and the rest of its arguments."""
    reference, rest = split_reference(args[0] if args else "")
    if reference is None:
        replied = references_in(d.turn.inbound.reply_to_text or "")
        if len(replied) == 1:
            reference = replied[0]
    if reference is None:
        d.say(d._("Which ticket? For example: {usage}").format(usage=esc(usage)))
        return None
    ticket = await d.store.desk.by_reference(reference)
    if ticket is None:
        d.say(d._("There is no ticket {reference}.").format(reference=reference))
        return None
    return ticket, rest


def _private_only(d: DeskTurn, command: str) -> bool:
    if d.in_group:
        d.say(d._("/{command} works only in a private chat with me: what it shows or keeps may"
                  " be personal.").format(command=command))
        return True
    return False


async def overview(d: DeskTurn, args: tuple[str, ...]) -> None:
    lines = [d._("<b>The coordinators' desk</b>")]
    lines += [markup("/{} {} — {}").format(name, params, d._(what)).replace("  ", " ")
              for name, params, what in COMMANDS]
    lines += [BLANK, d._("REF is a ticket's reference, such as K-0042. Sent as a reply to one of my"
                      " messages about a ticket, a command needs no reference.")]
    d.say(join_lines(lines))


def _by_urgency(tickets: list[DeskTicket]) -> list[DeskTicket]:
    return sorted(tickets, key=lambda t: (t.priority != "high", t.created_at))


async def _list(d: DeskTurn, tickets: list[DeskTicket], title: Html, empty: Html) -> None:
    if not tickets:
        d.say(empty)
        return
    names = await d.names()
    shown = _by_urgency(tickets)[:QUEUE_SHOWN]
    lines = [title, *(summary_line(t, d.turn.content, names, d.t, d.now) for t in shown)]
    if len(tickets) > len(shown):
        lines.append(d._("… and {n} more.").format(n=len(tickets) - len(shown)))
    d.say(join_lines(lines))


async def queue(d: DeskTurn, args: tuple[str, ...]) -> None:
    tickets = await d.store.desk.open_tickets()
    await _list(d, tickets, d._("<b>Open tickets: {n}</b>").format(n=len(tickets)),
                d._("No open tickets."))


async def mine(d: DeskTurn, args: tuple[str, ...]) -> None:
    tickets = [t for t in await d.store.desk.open_tickets() if t.assignee == d.member.user_id]
    await _list(d, tickets, d._("<b>Your tickets: {n}</b>").format(n=len(tickets)),
                d._("You hold no open tickets."))


async def show_ticket(d: DeskTurn, args: tuple[str, ...]) -> None:
    if _private_only(d, "ticket"):
        return
    found = await _ticket(d, args, "/ticket K-0042")
    if found is None:
        return
    ticket = found[0]
    if ticket.assignee != d.member.user_id:
        await d.audit("denied", ticket, "details")
        if ticket.assignee is None:
            d.say(d._("Take {reference} first (/claim {reference}); its details are for the"
                      " coordinator holding it.").format(reference=ticket.reference))
        else:
            d.say(d._("Only {name}, who holds {reference}, can read its details.").format(
                name=esc(await d.name_of(ticket.assignee)), reference=ticket.reference))
        return
    entries = await d.store.desk.entries(ticket.id, ENTRIES_SHOWN) if ticket.details else []
    await d.audit("ticket.read", ticket)
    view = view_turn(d.turn.deps, d.store, d.turn.deps.desk.locale)
    d.turn.replies.append(details_reply(ticket, entries, await d.names(), view, d.now))


async def note(d: DeskTurn, args: tuple[str, ...]) -> None:
    if _private_only(d, "note"):
        return
    found = await _ticket(d, args, "/note K-0042 text")
    if found is None:
        return
    ticket, text = found
    if not text:
        d.say(d._("Write the note after the reference: /note {reference} text.").format(
            reference=ticket.reference))
        return
    if ticket.details is None:
        d.say(d._("{reference} was withdrawn by the family; its details are deleted.").format(
            reference=ticket.reference))
        return
    await d.store.desk.add_entry(ticket.id, "note", text[:relay.MAX_RELAY_CHARS], d.now,
                                 d.member.user_id)
    await d.audit("ticket.note", ticket)
    d.say(d._("Note added to {reference}. The family never sees notes.").format(
        reference=ticket.reference))


async def reply(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/reply K-0042 text")
    if found is not None:
        await relay.to_family(d, found[0], found[1])


async def claim(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/claim K-0042")
    if found is not None:
        await holding.claim(d, found[0])


async def release(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/release K-0042")
    if found is not None:
        await holding.release(d, found[0])


async def close(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/close K-0042 resolved")
    if found is None:
        return
    ticket, rest = found
    word, _sep, note_text = rest.partition(" ")
    outcome = holding.parse_outcome(word) if word else None
    if word and outcome is None:
        # Words that are not an outcome code: closed as "other", the words kept as a note.
        outcome, note_text = "other", rest
    await holding.close(d, ticket, outcome, note_text.strip())


async def reopen(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/reopen K-0042")
    if found is not None:
        await holding.reopen(d, found[0])


async def assign(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args, "/assign K-0042 name")
    if found is None:
        return
    ticket, who = found
    target = await _coordinator_named(d, who)
    if target is not None:
        await holding.reassign(d, ticket, target)


async def _coordinator_named(d: DeskTurn, who: str) -> RosterMember | None:
    """A coordinator by user id or by name (exactly, or the only one starting so)."""
    who = who.strip().lstrip("@")
    members = [m for m in await d.store.roster.members() if m.coordinator or m.supervisor]
    if who.isdigit() or ":" in who:
        try:
            wanted_id = typed_address(who)
        except BadAddress:
            wanted_id = None  # not an id after all: the coordinators are listed below
        found = [m for m in members if m.user_id == wanted_id]
    else:
        wanted = who.casefold()
        found = [m for m in members if m.display_name.casefold() == wanted] or [
            m for m in members if wanted and m.display_name.casefold().startswith(wanted)]
    if len(found) == 1:
        return found[0]
    names = ", ".join(f"{esc(m.display_name or '-')} ({typed_form(m.user_id)})" for m in members)
    d.say(d._("Whom? Name one coordinator by name or user id: {names}").format(names=names))
    return None


async def button(d: DeskTurn, parts: tuple[str, ...]) -> None:
    """v1:dk:<action>:<ticket id>[:<outcome>]"""
    if len(parts) < 2 or not parts[1].isdigit():
        d.tell(d._("This button no longer works."))
        return
    ticket = await d.store.desk.get(int(parts[1]))
    action = parts[0]
    if ticket is None:
        d.tell(d._("This button no longer works."))
    elif action == CLAIM:
        await holding.claim(d, ticket)
    elif action == DETAILS:
        await holding.details(d, ticket)
    elif action == RELEASE:
        await holding.release(d, ticket)
    elif action == CLOSE and len(parts) == 3 and holding.parse_outcome(parts[2]):
        await holding.close(d, ticket, holding.parse_outcome(parts[2]))
    else:
        d.tell(d._("This button no longer works."))
