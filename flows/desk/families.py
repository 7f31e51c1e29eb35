"""/families: the whole picture for coordinators, in a private chat.

    /families            counts and one line per family
    /families K-0042     one family opened: its requests, consent, shares (audited)

The families are those whose details the desk still holds and whose consent is in force
(a withdrawal deletes the details, so a family that withdrew is not here). A family is the
person who made the requests; its latest request gives the age band, care, office and
status counted. Supervisors see every office, coordinators their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content.base import N_, format_day, format_moment, in_tokyo
from flows.age_bands import LABELS as AGE_LABELS
from flows.age_bands import NOT_RECORDED, age_band
from flows.desk.context import DeskTurn, view_turn
from flows.desk.refs import split_reference
from flows.desk.sharing import department_name, sharing_consent
from flows.desk.views import office_label
from flows.intake.summary import answer_lines
from flows.records import (
    TICKET_ASSIGNED,
    TICKET_CLOSED,
    TICKET_NEW,
    DeskTicket,
    RecordedConsent,
)
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.tickets import consent_in_force

FAMILIES_SHOWN = 40
NONE_SHOWN = "—"
STATUS = {
    TICKET_NEW: N_("waiting for a coordinator"),
    TICKET_ASSIGNED: N_("held by a coordinator"),
    TICKET_CLOSED: N_("closed"),
}


@dataclass(frozen=True)
class Family:
    """The requests of one person whose consent is in force, oldest first."""

    tickets: tuple[DeskTicket, ...]
    consent: RecordedConsent

    @property
    def latest(self) -> DeskTicket:
        return self.tickets[-1]

    @property
    def answers(self) -> dict[str, Any]:
        details = self.latest.details
        return details.answers if details else {}


def _in_scope(d: DeskTurn, ticket: DeskTicket) -> bool:
    return d.member.supervisor or ticket.office == d.member.office


async def _families(d: DeskTurn) -> list[Family]:
    by_family: dict[tuple[str, int], list[DeskTicket]] = {}
    for ticket in await d.store.families.known():
        if ticket.details is not None and _in_scope(d, ticket):
            # A professional (a hospital social worker, a partner) writes for a different
            # family each time: each of their requests is a family of its own.
            own = ticket.details.answers.get("writer") == "professional"
            key = (ticket.details.subject, ticket.id if own else 0)
            by_family.setdefault(key, []).append(ticket)
    families = []
    for (subject, _own), tickets in by_family.items():
        consent = consent_in_force(await d.store.consents.history(subject))
        if consent is not None:
            families.append(Family(tuple(sorted(tickets, key=lambda t: t.id)), consent))
    return sorted(families, key=lambda f: f.latest.id)


def _band(d: DeskTurn, family: Family) -> str:
    band = age_band(family.answers.get("age"), family.latest.created_at)
    return d._("not recorded") if band == NOT_RECORDED else d.t.gettext(AGE_LABELS[band])


def _care(d: DeskTurn, family: Family) -> list[str]:
    care = family.answers.get("care")
    intake = d.turn.content.intake
    if not isinstance(care, list):
        return []
    return [(intake.care_label(str(c), d.t.locale) if intake else None) or str(c) for c in care]


def _status(d: DeskTurn, ticket: DeskTicket) -> str:
    label = STATUS.get(ticket.status)
    return d.t.gettext(label) if label else ticket.status


def _last_contact(family: Family, contacts: Mapping[int, datetime]) -> datetime:
    moments = [contacts[t.id] for t in family.tickets if t.id in contacts]
    return max(moments, default=family.latest.created_at)


def _next_milestone(d: DeskTurn, family: Family) -> str:
    schedule = d.turn.deps.milestones
    upcoming = schedule.next_for(family.latest, d.now, d.t.locale) if schedule else None
    if upcoming is None:
        return NONE_SHOWN
    return f"{format_day(upcoming.day, d.t.locale)} {upcoming.title}"


def _counts(d: DeskTurn, title: Html, counts: Counter[str]) -> list[Html]:
    parts = [markup("{} {}").format(label, n) for label, n in counts.most_common()]
    return [markup("{} {}").format(title, markup(" · ").join(parts) if parts else NONE_SHOWN)]


async def show(d: DeskTurn, args: tuple[str, ...]) -> None:
    if d.in_group:
        d.say(d._("/{command} works only in a private chat with me: what it shows or keeps may"
                  " be personal.").format(command="families"))
        return
    if not d.member.supervisor and d.member.office is None:
        d.say(d._("Your roster entry names no office, so there is no family to show; staff can"
                  " set it with /roster add {id} OFFICE.").format(id=d.member.user_id))
        return
    reference, _rest = split_reference(args[0] if args else "")
    if reference is not None:
        await _open(d, reference)
        return
    families = await _families(d)
    scope = (d._("every office") if d.member.supervisor
             else esc(office_label(d.member.office or "", d.turn.content, d.t.locale)))
    if not families:
        d.say(d._("<b>Families known to the desk</b> ({scope}): none with consent in"
                  " force.").format(scope=scope))
        return
    contacts = await d.store.families.last_contacts()
    content = d.turn.content
    lines = [
        d._("<b>Families known to the desk</b> ({scope}): {n}").format(
            scope=scope, n=len(families)),
        BLANK,
        *_counts(d, d._("<b>Age</b>:"), Counter(_band(d, f) for f in families)),
        *_counts(d, d._("<b>Care</b>:"), Counter(c for f in families for c in _care(d, f))),
        *_counts(d, d._("<b>Office</b>:"), Counter(
            office_label(f.latest.office, content, d.t.locale) for f in families)),
        *_counts(d, d._("<b>Status</b>:"), Counter(_status(d, f.latest) for f in families)),
        BLANK,
    ]
    shown = families[-FAMILIES_SHOWN:]
    for family in reversed(shown):
        lines.append(d._("• <b>{reference}</b> {age} · {office} · {status} · last contact"
                         " {contact} · next: {milestone}").format(
            reference=family.latest.reference, age=_band(d, family),
            office=office_label(family.latest.office, content, d.t.locale),
            status=_status(d, family.latest),
            contact=format_day(in_tokyo(_last_contact(family, contacts)).date(), d.t.locale),
            milestone=_next_milestone(d, family)))
    if len(families) > len(shown):
        lines.append(d._("… and {n} more.").format(n=len(families) - len(shown)))
    lines += [BLANK, d._("/families REF opens one family (the reading is recorded).")]
    d.say(join_lines(lines))


async def _open(d: DeskTurn, reference: str) -> None:
    family = next((f for f in await _families(d)
                   if any(t.reference == reference for t in f.tickets)), None)
    if family is None:
        d.say(d._("{reference} is not among the families you can see (another office, no"
                  " consent in force, or no such request).").format(reference=reference))
        return
    await d.audit("family.read", family.latest)
    view = view_turn(d.turn.deps, d.store, d.t.locale)
    content = d.turn.content
    contacts = await d.store.families.last_contacts()
    consent = family.consent
    yes, no = d._("yes"), d._("no")
    lines = [
        d._("🔒 <b>Family of {reference}</b>").format(reference=family.latest.reference),
        d._("Consent of {when}: sharing with related departments: {share}; information for"
            " the child's age: {info}.").format(
            when=format_moment(consent.at, d.t.locale),
            share=yes if sharing_consent([consent]) else no,
            info=yes if consent.age_information else no),
        d._("Last contact: {when}").format(
            when=format_moment(_last_contact(family, contacts), d.t.locale)),
        d._("Next milestone: {milestone}").format(milestone=_next_milestone(d, family)),
        BLANK,
        d._("<b>Requests</b>"),
    ]
    for ticket in family.tickets:
        lines.append(markup("• <b>{}</b> {} · {} · {}").format(
            ticket.reference, format_day(in_tokyo(ticket.created_at).date(), d.t.locale),
            office_label(ticket.office, content, d.t.locale), _status(d, ticket)))
        if ticket.referred_by:
            lines.append(d._("  passed on by {department}").format(
                department=department_name(content, ticket.referred_by, d.t.locale)))
    shares = [s for t in family.tickets for s in await d.store.shares.for_ticket(t.id)]
    if shares:
        lines += [BLANK, d._("<b>Shared with</b>")]
        lines += [markup("• {} {} → {}").format(
            s.reference, format_moment(s.at, d.t.locale),
            department_name(content, s.department, d.t.locale)) for s in shares]
    lines += [BLANK, d._("<b>Latest request</b>"), *answer_lines(view, family.answers)]
    d.say(join_lines(lines))
