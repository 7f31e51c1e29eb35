"""Needs and problems a coordinator finds while supporting a family, for the support council.

The ward memo asks the coordinators to draw out the needs and problems seen in individual
support and to follow how far they are solved (ニーズ・課題の抽出及び課題解決状況). A
coordinator records one with a code from needs.yaml (``/need K-0042 short_stay`` and an
optional internal note), lists a ticket's with ``/needs K-0042``, and moves each through
open → in progress → resolved, or beyond the ward when only the support council can act.

The code and status are anonymous and feed the council's report; the note is for the
coordinators alone: the family never sees it and no report prints it. Only the holder and
the supervisors may record or change them, only in a private chat, and every read and
change is audited.
"""

from __future__ import annotations

import unicodedata

from babel.dates import format_datetime

from content.base import N_, TOKYO, in_tokyo
from content.needs_models import NeedsFile
from flows import callbacks
from flows.desk import relay
from flows.desk.commands import _ticket
from flows.desk.context import DeskTurn
from flows.model import Button, Reply
from flows.records import NEED_STATUSES, DeskTicket, NeedChange, NeedStatus, TicketNeed
from flows.text import BLANK, Html, esc, join_lines, markup

# Callback prefix of the needs buttons: v1:nd:a:<ticket id>:<code> records a need,
# v1:nd:s:<need id>:<status> changes one's status.
NEED_BUTTON = "nd"
ADD, STATUS = "a", "s"

STATUS_LABELS: dict[NeedStatus, str] = {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "resolved": N_("solved"),
    "beyond_ward": N_("beyond the ward (for the council)"),
}
# What a coordinator may type for each status.
_STATUS_WORDS: dict[str, NeedStatus] = {
    "open": "open",
    "progress": "in_progress",
    "in_progress": "in_progress",
    "inprogress": "in_progress",
    "resolved": "resolved",
    "solved": "resolved",
    "council": "beyond_ward",
    "beyond": "beyond_ward",
    "beyond_ward": "beyond_ward",
}


def parse_status(word: str) -> NeedStatus | None:
    return _STATUS_WORDS.get(unicodedata.normalize("NFKC", word).strip().lower())


def _code(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().lower()


def _when(d: DeskTurn, change: NeedChange | TicketNeed) -> str:
    at = change.at if isinstance(change, NeedChange) else change.recorded_at
    return format_datetime(in_tokyo(at), "M/d H:mm", tzinfo=TOKYO, locale=d.t.locale)


def _kinds(d: DeskTurn) -> NeedsFile | None:
    kinds = d.turn.content.needs
    if kinds is None:
        d.say(d._("The list of needs and problems (needs.yaml) is not set up; ask the ward"
                  " staff."))
    return kinds


def _label(kinds: NeedsFile, code: str, d: DeskTurn) -> str:
    kind = kinds.kind(code)
    return kind.label.get(d.t.locale) if kind else code


def _private_only(d: DeskTurn, command: str) -> bool:
    if d.in_group:
        d.say(d._("/{command} works only in a private chat with me: what it shows or keeps may"
                  " be personal.").format(command=command))
        return True
    return False


async def _may_record(d: DeskTurn, ticket: DeskTicket) -> bool:
    """The holder and the supervisors keep a ticket's needs."""
    if ticket.assignee == d.member.user_id or d.member.supervisor:
        return True
    await d.audit("denied", ticket, "needs")
    if ticket.assignee is None:
        d.tell(d._("Take {reference} first (/claim {reference}); its needs and problems are"
                   " kept by the coordinator holding it.").format(reference=ticket.reference))
    else:
        d.tell(d._("Only {name}, who holds {reference}, or a supervisor can do that.").format(
            name=esc(await d.name_of(ticket.assignee)), reference=ticket.reference))
    return False


def _choices(kinds: NeedsFile, d: DeskTurn) -> Html:
    return join_lines(markup("{} — {}").format(k.id, k.label.get(d.t.locale))
                      for k in kinds.needs)


def _kind_buttons(kinds: NeedsFile, ticket: DeskTicket, d: DeskTurn,
                  recorded: set[str]) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(label=kind.label.get(d.t.locale),
                data=callbacks.encode(NEED_BUTTON, ADD, str(ticket.id), kind.id), role="action"),)
        for kind in kinds.needs if kind.id not in recorded
    )


async def _held_ticket(d: DeskTurn, args: tuple[str, ...], command: str,
                       example: str) -> tuple[DeskTicket, str, NeedsFile] | None:
    """The opening every needs command shares: a private chat, a ticket named, the list of
    kinds, and someone who may keep its needs; None once the reason was told."""
    if _private_only(d, command):
        return None
    found = await _ticket(d, args, example)
    kinds = _kinds(d)
    if found is None or kinds is None:
        return None
    ticket, rest = found
    if not await _may_record(d, ticket):
        return None
    return ticket, rest, kinds


async def record(d: DeskTurn, args: tuple[str, ...]) -> None:
    """/need REF code [note]; without a code, the kinds as buttons."""
    held = await _held_ticket(d, args, "need", "/need K-0042 short_stay")
    if held is None:
        return
    ticket, rest, kinds = held
    word, _sep, note = rest.partition(" ")
    if not word:
        recorded = {n.code for n in await d.store.needs.needs_of(ticket.id)}
        d.say(d._("Which need or problem did you find on {reference}? You can also type"
                  " /need {reference} code note.").format(reference=ticket.reference),
              _kind_buttons(kinds, ticket, d, recorded))
        return
    code = _code(word)
    if kinds.kind(code) is None:
        d.say(join_lines([
            d._("“{code}” is not on the list of needs and problems. Use one of these codes:")
            .format(code=word),
            _choices(kinds, d),
        ]))
        return
    await add(d, ticket, kinds, code, note.strip())


async def add(d: DeskTurn, ticket: DeskTicket, kinds: NeedsFile, code: str, note: str) -> None:
    label = _label(kinds, code, d)
    if ticket.details is None:
        d.tell(d._("{reference} was withdrawn by the family; its details are deleted.").format(
            reference=ticket.reference))
        return
    note = note[: relay.MAX_RELAY_CHARS]
    need = await d.store.needs.record_need(ticket.id, code, note or None, d.now,
                                           d.member.user_id)
    if need is None:
        existing = next(n for n in await d.store.needs.needs_of(ticket.id) if n.code == code)
        if note and await d.store.needs.set_need_note(existing.id, note):
            await d.audit("need.note", ticket, code)
            d.tell(d._("The note on “{need}” of {reference} is replaced.").format(
                need=label, reference=ticket.reference))
            return
        d.tell(d._("“{need}” is already recorded on {reference} ({status}).").format(
            need=label, reference=ticket.reference,
            status=d._(STATUS_LABELS[existing.status])))
        return
    await d.audit("need.add", ticket, code)
    lines = [d._("Recorded on {reference}: “{need}” (open). /needs {reference} shows its"
                 " needs and changes their status.").format(reference=ticket.reference,
                                                            need=label)]
    if note:
        lines.append(d._("The note is for coordinators only; the family never sees it."))
    if d.pressed:
        d.acknowledge(lines[0])
        await _show(d, ticket, kinds, edit=True)
    else:
        d.say(join_lines(lines))


async def listing(d: DeskTurn, args: tuple[str, ...]) -> None:
    """/needs REF: the ticket's needs with their status, notes and history."""
    held = await _held_ticket(d, args, "needs", "/needs K-0042")
    if held is not None:
        ticket, _rest, kinds = held
        await _show(d, ticket, kinds, edit=False)


async def _show(d: DeskTurn, ticket: DeskTicket, kinds: NeedsFile, *, edit: bool) -> None:
    needs = await d.store.needs.needs_of(ticket.id)
    ref = ticket.reference
    if not needs:
        d.say(d._("No needs or problems are recorded on {reference} yet. /need {reference}"
                  " records one.").format(reference=ref))
        return
    # The notes are personal: only the holder reads them here, and that read is audited.
    with_notes = ticket.assignee == d.member.user_id
    await d.audit("need.read", ticket)
    changes = await d.store.needs.need_changes(ticket.id)
    names = await d.names()
    lines = [d._("<b>Needs and problems on {reference}</b>").format(reference=ref)]
    rows: list[tuple[Button, ...]] = []
    for number, need in enumerate(needs, start=1):
        lines.append(markup("{}. <b>{}</b> — {}").format(
            number, _label(kinds, need.code, d), d._(STATUS_LABELS[need.status])))
        history = [
            markup("{} {} ({})").format(
                _when(d, c), d._(STATUS_LABELS[c.status]),
                names.get(c.actor) or d._("coordinator {id}").format(id=c.actor))
            for c in changes if c.need_id == need.id
        ]
        lines.append(markup("   ") + markup(" → ").join(history))
        if with_notes and need.note:
            lines.append(markup("   📝 {}").format(need.note))
        rows.append(tuple(
            Button(label=f"{number}. {d._(STATUS_LABELS[status])}",
                   data=callbacks.encode(NEED_BUTTON, STATUS, str(need.id), status), role="action")
            for status in NEED_STATUSES if status != need.status
        ))
    lines += [BLANK, d._("The buttons change a need's status (numbers as above). The notes"
                         " are for coordinators only.")]
    reply = Reply(text=join_lines(lines), buttons=tuple(rows), keep_buttons=True)
    message_id = d.turn.inbound.message_id
    if edit and message_id is not None:
        reply = reply.model_copy(update={"edit_message_id": message_id})
    d.turn.replies.append(reply)


async def status(d: DeskTurn, args: tuple[str, ...]) -> None:
    """/needstatus REF code status"""
    held = await _held_ticket(d, args, "needstatus", "/needstatus K-0042 short_stay resolved")
    if held is None:
        return
    ticket, rest, kinds = held
    words = rest.split()
    new = parse_status(words[1]) if len(words) == 2 else None
    if new is None:
        d.say(d._("Write the code and the new status: /needstatus {reference} short_stay"
                  " resolved. The status is one of: open, progress, resolved, council (beyond"
                  " the ward).").format(reference=ticket.reference))
        return
    code = _code(words[0])
    need = next((n for n in await d.store.needs.needs_of(ticket.id) if n.code == code), None)
    if need is None:
        d.say(d._("“{code}” is not recorded on {reference}; /needs {reference} lists what"
                  " is.").format(code=words[0], reference=ticket.reference))
        return
    await change(d, ticket, kinds, need, new)


async def change(d: DeskTurn, ticket: DeskTicket, kinds: NeedsFile, need: TicketNeed,
                 new: NeedStatus) -> None:
    label = _label(kinds, need.code, d)
    if not await d.store.needs.set_need_status(need.id, new, d.now, d.member.user_id):
        d.tell(d._("“{need}” on {reference} is already {status}.").format(
            need=label, reference=ticket.reference, status=d._(STATUS_LABELS[new])))
        return
    await d.audit("need.status", ticket, f"{need.code} {new}")
    done = d._("“{need}” on {reference} is now {status}.").format(
        need=label, reference=ticket.reference, status=d._(STATUS_LABELS[new]))
    if d.pressed:
        d.acknowledge(done)
        await _show(d, ticket, kinds, edit=True)
    else:
        d.tell(done)


async def button(d: DeskTurn, parts: tuple[str, ...]) -> None:
    """v1:nd:a:<ticket id>:<code> and v1:nd:s:<need id>:<status>"""
    kinds = d.turn.content.needs
    if len(parts) != 3 or not parts[1].isdigit() or kinds is None or d.in_group:
        d.tell(d._("This button no longer works."))
        return
    action, number, value = parts
    if action == ADD and kinds.kind(value) is not None:
        ticket = await d.store.desk.get(int(number))
        if ticket is not None and await _may_record(d, ticket):
            await add(d, ticket, kinds, value, "")
        elif ticket is None:
            d.tell(d._("This button no longer works."))
        return
    new = parse_status(value) if action == STATUS else None
    need = await d.store.needs.need(int(number)) if new is not None else None
    ticket = await d.store.desk.get(need.ticket_id) if need is not None else None
    if need is None or ticket is None or new is None:
        d.tell(d._("This button no longer works."))
        return
    if await _may_record(d, ticket):
        await change(d, ticket, kinds, need, new)
