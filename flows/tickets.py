"""Tickets for the coordinators: routing, priority, the reference a parent can quote, the
confirmation; and a parent's own data: /mydata to see it, /withdraw (/delete) to take it back.

A ticket is two rows: an anonymous one that stays (reference, office, status, dates) and the
personal details, which go on withdrawal or after the retention period. The coordinators'
notification is written to the outbox in the same transaction as the ticket, so a crash
right after cannot lose it; it carries the reference only, never the family's details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from content.base import N_, format_day, format_moment, in_tokyo
from content.intake_models import DeskHours, RoutingFile
from content.models import TO_FILL
from flows import callbacks
from flows.business_hours import is_open, next_opening
from flows.intake.answers import IntakeAnswers
from flows.intake.summary import answer_lines
from flows.menu import menu_keyboard
from flows.model import Button
from flows.ports import IntakeStore, MyDataStore, Store
from flows.records import (
    TICKET_CLOSED,
    TICKET_WITHDRAWN,
    ConsentDecision,
    Draft,
    NewTicket,
    OutboxMessage,
    Priority,
    RecordedConsent,
    TicketRecord,
)
from flows.router import Router
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.turn import Turn

REFERENCE_PREFIX = "K"
# The family's own messages /mydata lists per request (the newest of what was said on it).
MESSAGES_SHOWN = 200
# Button data of the withdrawal question: v1:wd:yes, v1:wd:no.
WITHDRAW_BUTTON = "wd"
WITHDRAW_YES, WITHDRAW_NO = "yes", "no"
WITHDRAW_STATE = "withdraw:confirm"
# Where to return if the parent decides not to withdraw after all.
_RETURN_KEY = "withdraw_return"

STATUS_LABELS = {
    "new": N_("received, waiting for a coordinator"),
    "assigned": N_("a coordinator is working on it"),
    TICKET_CLOSED: N_("closed"),
    TICKET_WITHDRAWN: N_("withdrawn"),
}


def format_reference(number: int) -> str:
    """K-0042: short enough to read out on the phone."""
    return f"{REFERENCE_PREFIX}-{number:04d}"


def route(needs: Sequence[str], routing: RoutingFile) -> str:
    """The office for a request: the first rule naming one of the needs, else the default."""
    for rule in routing.rules:
        if set(rule.needs_any) & set(needs):
            return rule.office
    return routing.default_office


def priority(answers: IntakeAnswers, routing: RoutingFile, today: date) -> Priority:
    rules = routing.priority
    discharge = answers.discharge
    if answers.situation == "hospital" and discharge is not None and discharge.day is not None:
        if discharge.day <= today + timedelta(days=rules.discharge_within_days):
            return "high"
    if rules.home_without_support and answers.situation == "home" and answers.support == "none":
        return "high"
    return "normal"


def office_name(turn: Turn, office_id: str) -> str:
    office = next((o for o in turn.content.offices.offices if o.id == office_id), None)
    return office.name.get(turn.locale) if office else turn._("the coordinators' office")


def consent_in_force(history: list[RecordedConsent]) -> RecordedConsent | None:
    """The latest consent given and not withdrawn since (declining a later request does not
    undo a consent given for an earlier one). A purpose withdrawn on its own (the
    information for the child's age) is off in what is returned; the rest stays in force."""
    current: RecordedConsent | None = None
    for record in history:
        if record.decision == "granted":
            current = record
        elif record.decision == "withdrawn" and record.purpose is None:
            current = None
        elif record.decision == "withdrawn" and current is not None:
            current = current.model_copy(update={"age_information": False})
    return current


class TicketsFlow:
    def __init__(self, router: Router) -> None:
        self.router = router

    # --- a new ticket --------------------------------------------------------------------

    async def submit(self, turn: Turn[IntakeStore], draft: Draft, answers: IntakeAnswers) -> None:
        now = turn.deps.clock.now()
        routing = turn.content.routing
        office = route(answers.needs, routing)
        level = priority(answers, routing, in_tokyo(now).date())
        history = await turn.store.consents.history(turn.session.key)
        consent = next((c for c in history if c.id == draft.consent_id), None)
        referred_by = await self._referred_by(turn, consent)
        number = await turn.store.tickets.next_number()
        reference = format_reference(number)
        ticket_id = await turn.store.tickets.create(
            NewTicket(
                number=number,
                reference=reference,
                created_at=now,
                office=office,
                priority=level,
                subject=turn.session.key,
                channel=turn.inbound.channel,
                chat_id=turn.inbound.chat_id,
                locale=turn.locale,
                consent_id=draft.consent_id,
                share_with_departments=bool(consent and consent.share_with_departments),
                answers=answers.model_dump(mode="json", exclude_none=True),
                referred_by=referred_by,
            )
        )
        if referred_by is not None:
            await turn.store.audit.write(at=now, actor=str(turn.inbound.user_id),
                                         action="ticket.referral", subject=reference,
                                         detail=referred_by)
        await turn.store.outbox.enqueue(
            OutboxMessage(
                kind="ticket_new",
                ticket_id=ticket_id,
                office=office,
                payload={"reference": reference, "priority": level, "office": office},
            ),
            now,
        )
        await turn.store.drafts.delete(turn.session.key)
        turn.reset()
        turn.toast = turn._("Sent.")
        turn.say(self.confirmation(turn, reference, office, answers), menu_keyboard(turn,
                                                                                  self.router))

    @staticmethod
    async def _referred_by(turn: Turn[IntakeStore], consent: RecordedConsent | None) -> str | None:
        """The department of a partner passing a family on (the early-awareness path): a
        partner on the roster, writing as a professional who confirmed the guardian agreed."""
        if consent is None or consent.writer != "professional" or not consent.guardian_confirmed:
            return None
        member = await turn.store.roster.get(turn.inbound.user_id)
        if member is None or not member.partner:
            return None
        return member.department

    def confirmation(self, turn: Turn, reference: str, office: str,
                     answers: IntakeAnswers) -> Html:
        _ = turn._
        hours = turn.content.routing.desk_hours
        how = {
            "chat": _("A coordinator will read your request and reply here in this chat."),
            "phone": _("A coordinator will read your request and phone you."),
            "visit": _("A coordinator will read your request and contact you here to arrange"
                       " a meeting."),
        }[answers.contact]
        lines = [
            _("<b>Reference {reference}</b>").format(reference=esc(reference)),
            _("Thank you. Your request has reached the coordinators at {office}.").format(
                office=esc(office_name(turn, office))),
            BLANK,
            _("<b>What happens next</b>"),
            how,
        ]
        lines += self._when(turn, hours)
        lines += [
            BLANK,
            self._keep_reference(turn, office),
            _("Your answers are kept in the ward's database, never in a group chat. /mydata"
              " shows what is stored; /withdraw withdraws your consent and deletes your"
              " answers."),
            _("If the child's condition suddenly gets worse, call 119."),
        ]
        return join_lines(lines)

    @staticmethod
    def _when(turn: Turn, hours: DeskHours) -> list[Html]:
        """When to expect an answer: the precise hours once the ward has confirmed them,
        until then only what is true whatever they turn out to be."""
        _ = turn._
        if not hours.reviewed:
            return [_("A coordinator will contact you on a business day (the desk's exact hours"
                      " are still being confirmed).")]
        now = turn.deps.clock.now()
        lines = [_("The desk answers on business days, {opens}–{closes} (not on weekends, public"
                   " holidays or from 29 December to 3 January).").format(
            opens=hours.opens, closes=hours.closes)]
        if is_open(now, hours):
            lines.append(_("The desk is open now; a coordinator will contact you on a business"
                           " day."))
        else:
            lines.append(_("The desk is closed now. It opens again on {when}; a coordinator will"
                           " contact you after that.").format(
                when=format_moment(next_opening(now, hours), turn.locale)))
        return lines

    @staticmethod
    def _keep_reference(turn: Turn, office_id: str) -> Html:
        """The office's phone number only once staff have filled it in (offices.yaml marks the
        ones still unknown 【要確認】): no pointing to a number the desk does not publish."""
        _ = turn._
        office = next((o for o in turn.content.offices.offices if o.id == office_id), None)
        if office is None or not office.phone or TO_FILL in office.phone:
            return _("Please keep the reference and quote it whenever you contact the"
                     " coordinators.")
        return _("Please keep the reference: you can quote it when you phone {office} at"
                 " {phone}.").format(office=esc(office.name.get(turn.locale)),
                                     phone=esc(office.phone))

    # --- /mydata ---------------------------------------------------------------------------

    async def mydata(self, turn: Turn[Store], args: tuple[str, ...]) -> None:
        _ = turn._
        subject = turn.session.key
        history = await turn.store.consents.history(subject)
        draft = await turn.store.drafts.load(subject)
        tickets = await turn.store.tickets.for_subject(subject)
        if not history and draft is None and not tickets:
            turn.say(_("No consent, request or answers of yours are stored. This desk only keeps"
                       " your language choice and where you are in the conversation."))
            await self._back_to_step(turn)
            return
        lines = [_("<b>What is stored about you</b>"), BLANK, _("<b>Consent decisions</b>")]
        lines += [self._consent_line(turn, record) for record in history] or [_("(none)")]
        turn.say(join_lines(lines))
        if draft is not None:
            turn.say(join_lines([
                _("<b>Unfinished request</b> (last changed {when})").format(
                    when=format_moment(draft.updated_at, turn.locale)),
                *answer_lines(turn, draft.answers),
            ]))
        for ticket in tickets:
            turn.say(self._ticket_text(turn, ticket))
            sent = [e for e in await turn.store.desk.entries(ticket.id, MESSAGES_SHOWN)
                    if e.kind == "family"]
            if sent:
                turn.say(join_lines([
                    _("<b>Your messages on request {reference}</b>").format(
                        reference=esc(ticket.reference)),
                    *(markup("• {}: {}").format(format_moment(e.at, turn.locale), e.text)
                      for e in sent),
                ]))
        shares = await turn.store.shares.for_subject(subject)
        if shares:
            intake = turn.content.intake
            turn.say(join_lines([
                _("<b>Shared with related departments</b> (with your consent)"),
                *(_("• {when}: request {reference}, to {department}").format(
                    when=format_moment(s.at, turn.locale), reference=esc(s.reference),
                    department=esc((intake.department_label(s.department, turn.locale)
                                    if intake else None) or s.department))
                  for s in shares),
            ]))
        milestones = await turn.store.milestones.sent(subject)
        if milestones:
            titles = {m.id: m.title.get(turn.locale) for m in turn.content.milestones}
            turn.say(join_lines([
                _("<b>Information for the child's age sent to you</b>"),
                *(markup("• {}: {}").format(format_moment(m.at, turn.locale),
                                            titles.get(m.milestone_id, m.milestone_id))
                  for m in milestones),
            ]))
        turn.say(join_lines([
            _("Questions I could not answer are kept without your name or account, to improve"
              " the answers."),
            _("To withdraw your consent and delete your details, send /withdraw."),
        ]))
        await self._back_to_step(turn)

    def _consent_line(self, turn: Turn, record: RecordedConsent) -> Html:
        _ = turn._
        when = format_moment(record.at, turn.locale)
        if record.decision == "declined":
            return _("• {when}: you did not agree (text version {version}).").format(
                when=when, version=esc(record.text_version))
        if record.decision == "withdrawn" and record.purpose == "age_information":
            return _("• {when}: you stopped the information for the child's age.").format(
                when=when)
        if record.decision == "withdrawn":
            return _("• {when}: you withdrew your consent.").format(when=when)
        yes, no = _("yes"), _("no")
        return _("• {when}: you agreed (text version {version}). Sharing with related"
                 " departments: {share}. Information for the child's age: {info}.").format(
            when=when, version=esc(record.text_version),
            share=yes if record.share_with_departments else no,
            info=yes if record.age_information else no)

    def _ticket_text(self, turn: Turn, ticket: TicketRecord) -> Html:
        _ = turn._
        status = STATUS_LABELS.get(ticket.status)
        header = _("<b>Request {reference}</b>, sent {when}. Status: {status}. Office:"
                   " {office}.").format(
            reference=esc(ticket.reference),
            when=format_day(in_tokyo(ticket.created_at).date(), turn.locale),
            status=_(status) if status else esc(ticket.status),
            office=esc(office_name(turn, ticket.office)))
        return join_lines([header, *answer_lines(turn, ticket.answers)])

    async def _back_to_step(self, turn: Turn[Store]) -> None:
        # A command in the middle of a question leaves that question waiting; ask it again
        # so the parent's next message is not taken for something else.
        reprompt = self.router.reprompts.get(turn.session.state.partition(":")[0])
        if reprompt is not None and turn.session.state != WITHDRAW_STATE:
            await reprompt(turn)

    # --- /withdraw -------------------------------------------------------------------------

    async def withdraw(self, turn: Turn[MyDataStore], args: tuple[str, ...]) -> None:
        _ = turn._
        subject = turn.session.key
        history = await turn.store.consents.history(subject)
        draft = await turn.store.drafts.load(subject)
        tickets = await turn.store.tickets.for_subject(subject)
        if consent_in_force(history) is None and draft is None and not tickets:
            turn.say(_("There is nothing to withdraw: no consent, request or answers of yours are"
                       " stored."), menu_keyboard(turn, self.router))
            return
        lines = [_("<b>Withdraw your consent and delete your details?</b>"),
                 _("This will:"), _("• withdraw your consent")]
        if draft is not None:
            lines.append(_("• delete your unfinished request"))
        for ticket in tickets:
            lines.append(_("• delete your answers in request {reference} and tell the"
                           " coordinators it was withdrawn").format(
                reference=esc(ticket.reference)))
        lines += [
            BLANK,
            _("What stays: the record of your consent decisions (when, and which text"
              " version), kept as proof of what you agreed to; and, for each request, only the"
              " anonymous fact that it existed."),
            _("This cannot be undone."),
        ]
        if turn.session.state != WITHDRAW_STATE:
            turn.session.data[_RETURN_KEY] = turn.session.state
        turn.session.state = WITHDRAW_STATE
        turn.say(join_lines(lines), (
            (Button(label=_("Yes, withdraw and delete"),
                    data=callbacks.encode(WITHDRAW_BUTTON, WITHDRAW_YES), role="confirm"),),
            (Button(label=_("No, keep everything"),
                    data=callbacks.encode(WITHDRAW_BUTTON, WITHDRAW_NO), role="cancel"),),
        ))

    async def withdraw_button(self, turn: Turn[Store], parts: tuple[str, ...]) -> None:
        if turn.session.state != WITHDRAW_STATE or parts not in ((WITHDRAW_YES,), (WITHDRAW_NO,)):
            turn.toast = turn._("This button no longer works.")
            turn.say(turn._("That question is closed. To withdraw, send /withdraw again."),
                     menu_keyboard(turn, self.router))
            return
        previous = str(turn.session.data.pop(_RETURN_KEY, "idle") or "idle")
        if parts == (WITHDRAW_NO,):
            turn.session.state = previous
            turn.say(turn._("Nothing was changed."))
            reprompt = self.router.reprompts.get(previous.partition(":")[0])
            if reprompt is not None and previous != "idle":
                await reprompt(turn)
            else:
                turn.reset()
                turn.say(turn._("What would you like to do?"), menu_keyboard(turn, self.router))
            return
        await self._withdraw_now(turn)

    async def _withdraw_now(self, turn: Turn[MyDataStore]) -> None:
        _ = turn._
        now = turn.deps.clock.now()
        subject = turn.session.key
        history = await turn.store.consents.history(subject)
        in_force = consent_in_force(history)
        if in_force is not None:
            await turn.store.consents.append(
                ConsentDecision(
                    subject=subject, at=now, decision="withdrawn", locale=turn.locale,
                    text_version=in_force.text_version, text_hash=in_force.text_hash,
                    use_for_request=False, share_with_departments=False, age_information=False,
                    writer=in_force.writer, guardian_confirmed=False,
                )
            )
        had_draft = await turn.store.drafts.delete(subject)
        # What was sent for the child's age goes with the rest; nothing more is sent.
        await turn.store.milestones.forget(subject)
        done = [_("• your consent is withdrawn")] if in_force is not None else []
        if had_draft:
            done.append(_("• your unfinished request is deleted"))
        for ticket in await turn.store.tickets.for_subject(subject):
            await turn.store.tickets.withdraw(ticket.id, now)
            done.append(_("• your answers in request {reference} are deleted").format(
                reference=esc(ticket.reference)))
            if ticket.status not in (TICKET_CLOSED, TICKET_WITHDRAWN):
                await turn.store.outbox.enqueue(
                    OutboxMessage(
                        kind="ticket_withdrawn",
                        ticket_id=ticket.id,
                        office=ticket.office,
                        recipient=ticket.assignee,
                        payload={"reference": ticket.reference, "office": ticket.office},
                    ),
                    now,
                )
                done.append(_("  (the coordinators are told that {reference} was"
                              " withdrawn)").format(reference=esc(ticket.reference)))
        for key in ("consent", _RETURN_KEY):
            turn.session.data.pop(key, None)
        turn.reset()
        turn.say(join_lines([_("<b>Done.</b>"), *done, BLANK,
                            _("You can still ask questions here at any time.")]),
                 menu_keyboard(turn, self.router))

    async def withdraw_text(self, turn: Turn[MyDataStore], text: str) -> None:
        turn.say(turn._("Please answer with the buttons."))
        await self.withdraw(turn, ())


def register(router: Router) -> TicketsFlow:
    flow = TicketsFlow(router)
    router.command("mydata", flow.mydata, N_("See what is stored about you"))
    router.command("withdraw", flow.withdraw, N_("Withdraw your consent and delete your details"))
    router.command("delete", flow.withdraw)  # the word many people try first
    router.button(WITHDRAW_BUTTON, flow.withdraw_button)
    router.state("withdraw", flow.withdraw_text, lambda turn: flow.withdraw(turn, ()))
    return flow
