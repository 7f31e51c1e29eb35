"""/share: a coordinator sends a request's summary to the partners of a related department.

    /share K-0042 hokenjo

Only with the family's consent: their latest consent decision must include sharing with
related departments (choice 2 of the consent screen); otherwise the coordinator is told why
and nothing is sent. The summary goes to each partner of the department in their private
chat, through the outbox, and is read from the database when it is sent, so a family that
withdraws meanwhile is not shared. Every share is recorded (who, which department, when) and
audited, and the family sees it in /mydata.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from content.base import Locale, format_moment
from content.intake_models import ChoiceOption
from content.loader import Content
from flows.desk.context import DeskTurn
from flows.desk.refs import references_in, split_reference
from flows.desk.views import office_label
from flows.intake.summary import answer_lines
from flows.model import Reply
from flows.records import DeskTicket, NewShare, RecordedConsent, RosterMember
from flows.text import BLANK, Html, catalog, esc, join_lines
from flows.turn import Turn

USAGE = "/share K-0042 DEPARTMENT"


def departments(content: Content) -> list[ChoiceOption]:
    return list(content.intake.departments) if content.intake else []


def department_name(content: Content, department: str, locale: Locale) -> str:
    """The department's name in ``locale``; its id when it is no longer listed."""
    label = content.intake.department_label(department, locale) if content.intake else None
    return label or department


def _named(content: Content, word: str) -> ChoiceOption | None:
    """A department by its id or its name in either language."""
    wanted = word.strip().casefold()
    return next((d for d in departments(content)
                 if wanted in (d.id, d.label.ja.casefold(), d.label.en.casefold())), None)


async def _ticket(d: DeskTurn, args: tuple[str, ...]) -> tuple[DeskTicket, str] | None:
    reference, rest = split_reference(args[0] if args else "")
    if reference is None:
        replied = references_in(d.turn.inbound.reply_to_text or "")
        if len(replied) == 1:
            reference = replied[0]
    if reference is None:
        d.say(d._("Which ticket? For example: {usage}").format(usage=USAGE))
        return None
    ticket = await d.store.desk.by_reference(reference)
    if ticket is None:
        d.say(d._("There is no ticket {reference}.").format(reference=reference))
        return None
    return ticket, rest


def _latest(history: Sequence[RecordedConsent]) -> RecordedConsent | None:
    """The latest decision about the consent as a whole: stopping one purpose on its own (the
    information for the child's age) leaves the sharing choice as it was."""
    whole = [c for c in history if not (c.decision == "withdrawn" and c.purpose is not None)]
    return whole[-1] if whole else None


def sharing_consent(history: Sequence[RecordedConsent]) -> RecordedConsent | None:
    """The family's latest decision, when it allows sharing; None otherwise (never asked,
    declined, withdrawn, or agreed without the sharing choice)."""
    latest = _latest(history)
    if latest is None or latest.decision != "granted" or not latest.share_with_departments:
        return None
    return latest


def _refusal(d: DeskTurn, history: Sequence[RecordedConsent], reference: str) -> Html:
    latest = _latest(history)
    if latest is None:
        why = d._("no consent decision of the family is recorded")
    elif latest.decision == "withdrawn":
        why = d._("the family withdrew their consent on {when}").format(
            when=format_moment(latest.at, d.t.locale))
    elif latest.decision == "declined":
        why = d._("the family's latest decision, on {when}, was not to agree").format(
            when=format_moment(latest.at, d.t.locale))
    else:
        why = d._("the family's latest consent, on {when}, does not include sharing with"
                  " related departments (choice 2)").format(
            when=format_moment(latest.at, d.t.locale))
    return d._("{reference} cannot be shared: {why}. Nothing was sent.").format(
        reference=reference, why=why)


async def _partners(d: DeskTurn) -> dict[str, list[RosterMember]]:
    found: dict[str, list[RosterMember]] = {}
    for member in await d.store.roster.members():
        if member.partner and member.department:
            found.setdefault(member.department, []).append(member)
    return found


def _department_list(d: DeskTurn, partners: dict[str, list[RosterMember]]) -> Html:
    content = d.turn.content
    listed = [f"{dep.id} ({dep.label.get(d.t.locale)})" for dep in departments(content)
              if partners.get(dep.id)]
    if not listed:
        return d._("No department has partners on the roster yet; staff add them with /roster"
                   " add ID partner DEPARTMENT.")
    return d._("Departments with partners: {departments}.").format(
        departments=", ".join(listed))


async def share(d: DeskTurn, args: tuple[str, ...]) -> None:
    found = await _ticket(d, args)
    if found is None:
        return
    ticket, word = found
    content = d.turn.content
    partners = await _partners(d)
    department = _named(content, word) if word else None
    if department is None or not partners.get(department.id):
        if word:
            d.say(d._("“{department}” is not a department with partners on the roster."
                      " Nothing was sent.").format(department=word))
        else:
            d.say(d._("With which department? For example: {usage}").format(usage=USAGE))
        d.say(_department_list(d, partners))
        return
    if ticket.details is None:
        d.say(d._("{reference} was withdrawn by the family; its details are deleted.").format(
            reference=ticket.reference))
        return
    if ticket.assignee != d.member.user_id and not d.member.supervisor:
        d.say(d._("Only the coordinator holding {reference} (or a supervisor) can share it."
                  " Take it first with /claim {reference}.").format(
            reference=ticket.reference))
        await d.audit("denied", ticket, "share")
        return
    history = await d.store.consents.history(ticket.details.subject)
    consent = sharing_consent(history)
    if consent is None:
        await d.audit("share.refused", ticket, department.id)
        d.say(_refusal(d, history, ticket.reference))
        return
    reachable = [m for m in partners[department.id] if m.private_chat]
    name = department.label.get(d.t.locale)
    if not reachable:
        d.say(d._("No partner of {department} has opened a private chat with me yet, so the"
                  " summary cannot reach them. Ask them to tap my name, then Start. Nothing was"
                  " sent.").format(department=name))
        return
    share_id = await d.store.shares.record(NewShare(
        at=d.now, ticket_id=ticket.id, department=department.id, actor=d.member.user_id,
        consent_id=consent.id, recipients=len(reachable)))
    for partner in reachable:
        await d.enqueue("ticket_shared", ticket, partner.user_id, department=department.id,
                        share=share_id, by=d.member.user_id)
    await d.audit("ticket.share", ticket, department.id)
    d.say(d._("The summary of {reference} is on its way to {department} ({n} people). The"
              " family sees this share in /mydata.").format(
        reference=ticket.reference, department=name, n=len(reachable)))


def shared_summary(ticket: DeskTicket, department: str, by: str, view: Turn,
                   now: datetime) -> Reply | None:
    """What a partner receives: the request's summary, who shared it and why they have it.
    ``view`` renders in the desk's language (see ``context.view_turn``)."""
    if ticket.details is None:
        return None
    _ = catalog(view.t.gettext)
    content = view.content
    lines = [
        _("📨 <b>{reference}</b>: shared with {department} by {name}, with the family's"
          " consent").format(reference=ticket.reference,
                             department=department_name(content, department, view.locale),
                             name=by),
        _("Office: {office}").format(
            office=esc(office_label(ticket.office, content, view.locale))),
        _("Received: {when}").format(when=format_moment(ticket.created_at, view.locale)),
        BLANK,
        *answer_lines(view, ticket.details.answers),
        BLANK,
        _("Please use it only to coordinate this family's support, and contact the coordinator"
          " at that office about it, quoting {reference}.").format(
            reference=ticket.reference),
    ]
    return Reply(text=join_lines(lines))

