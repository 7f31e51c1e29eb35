"""A ticket's details for the coordinator holding it: everything the family entered, what
was said since, and the internal notes. Only ever sent to that coordinator's private chat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from babel.dates import format_datetime

from content.base import TOKYO, format_moment, in_tokyo
from flows import callbacks
from flows.address import Address
from flows.desk.sharing import department_name
from flows.desk.views import DESK_BUTTON, RELEASE, member_name, office_label, status_line
from flows.intake.summary import answer_lines
from flows.model import Button, Reply
from flows.records import DeskTicket, TicketEntry
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.turn import Turn

# The newest messages and notes shown with the details (older ones stay in the database).
ENTRIES_SHOWN = 20


def entry_line(entry: TicketEntry, names: Mapping[Address, str], view: Turn) -> Html:
    _ = view._
    when = format_datetime(in_tokyo(entry.at), "M/d H:mm", tzinfo=TOKYO, locale=view.locale)
    name = esc(member_name(names, entry.author, view.t))
    if entry.kind == "family":
        who = _("Family")
    elif entry.kind == "coordinator":
        who = _("{name} → family").format(name=name)
    else:
        who = _("📝 Note by {name}").format(name=name)
    return markup("[{}] <b>{}</b>: {}").format(when, who, entry.text)


def details_text(ticket: DeskTicket, entries: Sequence[TicketEntry], names: Mapping[Address, str],
                 view: Turn, now: datetime) -> Html:
    """``view`` renders in the desk's language (see ``context.view_turn``)."""
    _ = view._
    ref = esc(ticket.reference)
    priority = _("urgent") if ticket.priority == "high" else _("normal")
    lines = [
        _("🔒 <b>{reference}</b>: details for you only").format(reference=ref),
        _("Office: {office}").format(
            office=esc(office_label(ticket.office, view.content, view.locale))),
        _("Priority: {priority}").format(priority=priority),
        _("Received: {when}").format(when=format_moment(ticket.created_at, view.locale)),
        status_line(ticket, names, view.t, now),
        BLANK,
    ]
    if ticket.details is None:
        lines.append(_("The family withdrew their consent; the details are deleted."))
        return join_lines(lines)
    lines += answer_lines(view, ticket.details.answers)
    if ticket.referred_by:
        lines.append(_("Passed on by a partner at {department}, with the guardian's confirmed"
                       " consent.").format(department=department_name(
                           view.content, ticket.referred_by, view.locale)))
    if ticket.details.share_with_departments:
        lines.append(_("The family agreed that related ward departments may be told."))
    else:
        lines.append(_("The family did not agree to sharing with other departments."))
    if entries:
        lines += [BLANK, _("<b>Messages and notes</b>"),
                  *(entry_line(entry, names, view) for entry in entries)]
    lines += [
        BLANK,
        _("To write to the family, reply to this message or send /reply {reference} and your"
          " text: they receive it from the bot, signed with the office's name.").format(
            reference=ref),
        _("/note {reference} adds a note only coordinators see; /close {reference} closes"
          " it.").format(reference=ref),
    ]
    return join_lines(lines)


def details_reply(ticket: DeskTicket, entries: Sequence[TicketEntry], names: Mapping[Address, str],
                  view: Turn, now: datetime) -> Reply:
    buttons: tuple[tuple[Button, ...], ...] = ()
    if ticket.is_open:
        buttons = ((Button(label=view._("Give it back to the queue"),
                           data=callbacks.encode(DESK_BUTTON, RELEASE, str(ticket.id)),
                           role="action"),),)
    return Reply(text=details_text(ticket, entries, names, view, now), buttons=buttons,
                 keep_buttons=True)
