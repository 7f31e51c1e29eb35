"""What the coordinators read about tickets, in the desk's language.

The group sees what the desk needs to share out the work and nothing that identifies a
family: the reference, the office, the priority, the help categories chosen from buttons,
an age band and how long ago the request came in. No name, phone number, care type or
anything typed: those are in the details, sent only to the coordinator holding the ticket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from content.base import N_, Locale, Translator, format_moment
from content.loader import Content
from flows import callbacks
from flows.address import Address, typed_form
from flows.age_bands import LABELS as AGE_LABELS
from flows.age_bands import NOT_RECORDED, age_band
from flows.model import Button, Keyboard, Reply
from flows.records import TICKET_ASSIGNED, TICKET_CLOSED, TICKET_NEW, TICKET_WITHDRAWN, DeskTicket
from flows.text import Html, catalog, esc, join_lines, markup
from flows.turn import ButtonRow

# Callback prefix of the coordinators' buttons (v1:dk:c:42 claims ticket 42).
DESK_BUTTON = "dk"
CLAIM, DETAILS, RELEASE, CLOSE = "c", "d", "r", "x"

OUTCOME_LABELS = {
    "resolved": N_("resolved"),
    "referred": N_("referred to another service"),
    "unreachable": N_("family not reachable"),
    "other": N_("other"),
}


def age_label(ticket: DeskTicket, t: Translator) -> str | None:
    """The child's age as a band (flows/age_bands.py), as the council report counts it."""
    answers = ticket.details.answers if ticket.details else {}
    band = age_band(answers.get("age"), ticket.created_at)
    return None if band == NOT_RECORDED else t.gettext(AGE_LABELS[band])


def needs_labels(answers: Mapping[str, object], content: Content, t: Translator) -> Html | None:
    """The help categories the parent chose, by their labels (never the "other" text)."""
    needs = answers.get("needs")
    if not isinstance(needs, list) or not needs:
        return None
    intake = content.intake
    labels = [
        (intake.help_label(str(n), t.locale) if intake is not None else None) or str(n)
        for n in needs
    ]
    return catalog(t.gettext)(", ").join(labels)


def office_label(office_id: str, content: Content, locale: Locale) -> str:
    office = next((o for o in content.offices.offices if o.id == office_id), None)
    return office.name.get(locale) if office else office_id


def ago(moment: datetime, now: datetime, t: Translator) -> str:
    if now - moment < timedelta(minutes=1):
        return t.gettext("just now")
    return format_timedelta(moment - now, add_direction=True, locale=t.locale)


def member_name(names: Mapping[Address, str], user_id: Address | None, t: Translator) -> str:
    if user_id is None:
        return ""
    # Without a name, the id as staff type it: for Telegram the number they always saw.
    return names.get(user_id) or t.gettext("coordinator {id}").format(id=typed_form(user_id))


def status_line(ticket: DeskTicket, names: Mapping[Address, str], t: Translator,
                now: datetime) -> Html:
    _ = catalog(t.gettext)
    if ticket.status == TICKET_WITHDRAWN:
        return _("❌ Withdrawn by the family; the details are deleted.")
    if ticket.status == TICKET_CLOSED:
        outcome = OUTCOME_LABELS.get(ticket.outcome or "")
        return _("✅ Closed ({outcome}).").format(outcome=_(outcome) if outcome else "-")
    if ticket.status == TICKET_ASSIGNED and ticket.assignee is not None:
        since = ticket.claimed_at or now
        return _("👤 Held by {name} (since {ago}).").format(
            name=esc(member_name(names, ticket.assignee, t)), ago=ago(since, now, t))
    return _("⏳ Not taken yet.")


def priority_mark(ticket: DeskTicket) -> str:
    return "🔴" if ticket.priority == "high" else "🟢"


def summary_line(ticket: DeskTicket, content: Content, names: Mapping[Address, str],
                 t: Translator, now: datetime) -> Html:
    """One line per ticket, for digests and /queue."""
    answers = ticket.details.answers if ticket.details else {}
    parts = [markup("{} <b>{}</b>").format(priority_mark(ticket), ticket.reference),
             esc(office_label(ticket.office, content, t.locale))]
    band = age_label(ticket, t)
    needs = needs_labels(answers, content, t)
    parts += [esc(p) for p in (band, needs) if p]
    parts.append(esc(ago(ticket.created_at, now, t)))
    return markup(" · ").join(parts) + markup("\n    ") + status_line(ticket, names, t, now)


def _card(ticket: DeskTicket, content: Content, names: Mapping[Address, str], t: Translator,
          now: datetime) -> Html:
    _ = catalog(t.gettext)
    answers = ticket.details.answers if ticket.details else {}
    title = (_("🔴 <b>Urgent request {reference}</b>") if ticket.priority == "high"
             else _("🟢 <b>New request {reference}</b>"))
    lines = [
        title.format(reference=esc(ticket.reference)),
        _("Office: {office}").format(office=esc(office_label(ticket.office, content, t.locale))),
    ]
    needs = needs_labels(answers, content, t)
    if needs:
        lines.append(_("Help wanted: {needs}").format(needs=needs))
    band = age_label(ticket, t)
    if band:
        lines.append(_("Child's age: {band}").format(band=esc(band)))
    lines.append(_("Received: {when} ({ago})").format(
        when=format_moment(ticket.created_at, t.locale), ago=ago(ticket.created_at, now, t)))
    lines.append(status_line(ticket, names, t, now))
    return join_lines(lines)


def _buttons(tickets: Sequence[DeskTicket], t: Translator) -> Keyboard:
    _ = catalog(t.gettext)
    single = len(tickets) == 1
    rows: list[ButtonRow] = []
    for ticket in tickets:
        if not ticket.is_open:
            continue
        row: list[Button] = []
        if ticket.status == TICKET_NEW and ticket.assignee is None:
            label = _("Take it") if single else _("Take {reference}").format(
                reference=ticket.reference)
            row.append(Button(label=label,
                              data=callbacks.encode(DESK_BUTTON, CLAIM, str(ticket.id)),
                              role="action"))
        label = _("Details") if single else _("Details {reference}").format(
            reference=ticket.reference)
        row.append(Button(label=label, data=callbacks.encode(DESK_BUTTON, DETAILS, str(ticket.id)),
                          role="action"))
        rows.append(tuple(row))
    return tuple(rows)


def group_notice(tickets: Sequence[DeskTicket], content: Content, names: Mapping[Address, str],
                 t: Translator, now: datetime) -> Reply:
    """The group's message for one ticket, or a digest of several announced together.

    The same function renders the first announcement and every later edit (claimed,
    released, closed, withdrawn), so the message always shows the tickets as they are.
    """
    if len(tickets) == 1:
        text = _card(tickets[0], content, names, t, now)
    else:
        header = Html(t.ngettext("📋 <b>{n} new request</b>", "📋 <b>{n} new requests</b>",
                            len(tickets))).format(n=len(tickets))
        text = join_lines([header, *(summary_line(x, content, names, t, now) for x in tickets)])
    return Reply(text=text, buttons=_buttons(tickets, t), keep_buttons=True)
