"""The intake conversation: one question at a time, every answer checked, a summary to
confirm or change, then a ticket.

The answers live in a draft saved with every step (not in the session), so a restart, a
pause or a detour through the FAQ loses nothing; the session state says which question is
waiting (``intake:<step>``), and the draft remembers it too, for resuming later.
"""

from __future__ import annotations

from typing import Any

from content.base import N_, format_moment, in_tokyo
from flows import callbacks
from flows.consent import ConsentFlow, Grant
from flows.faq import answer_text, confident_answer, count_view
from flows.intake import prompts
from flows.intake.answers import (
    BirthMonth,
    ChildAge,
    Discharge,
    FreeText,
    IntakeAnswers,
    InvalidAnswer,
    PersonName,
    Phone,
    validate_answer,
)
from flows.intake.buttons import (
    AGAIN,
    BACK,
    CANCEL,
    CANCEL_NO,
    CANCEL_YES,
    CHOOSE,
    CONTINUE,
    DELETE,
    DONE,
    EDIT,
    INTAKE_BUTTON,
    KEEP,
    REQUEST_BUTTON,
    SEND,
    SKIP,
    START_AGAIN,
    TOGGLE,
)
from flows.intake.steps import (
    AGE_INFORMATION,
    BY_ID,
    CHOICES,
    SUMMARY,
    Answers,
    applicable,
    final_answers,
    mark_done,
    next_step,
    previous_step,
    prune,
)
from flows.intake.summary import answer_lines, field_title
from flows.menu import menu_keyboard
from flows.model import READABLE_REPLY_CHARS, Button
from flows.ports import IntakeStore, Store
from flows.records import Draft
from flows.router import Router
from flows.text import BLANK, Html, esc, join_lines, plain
from flows.tickets import TicketsFlow
from flows.turn import ButtonRow, Handler, Turn

STATE = "intake"
# Tokyo's support center for medical-care children takes calls from all of Tokyo
# (shared/content/facts.md); families elsewhere are pointed there and to their own town.
TOKYO_CENTER_WARDS = "03-3941-3221"
TOKYO_CENTER_TAMA = "042-312-8164"


def _state(step_id: str) -> str:
    return f"{STATE}:{step_id}"


class IntakeFlow:
    def __init__(self, router: Router, consent: ConsentFlow, tickets: TicketsFlow) -> None:
        self.router = router
        self.consent = consent
        self.tickets = tickets

    # --- entry: the menu button and /request ---------------------------------------------

    async def open(self, turn: Turn[IntakeStore], parts: tuple[str, ...]) -> None:
        action = parts[0] if parts and parts[0] else ""
        draft = await self._load(turn)
        if action in (CONTINUE, START_AGAIN) and draft is None:
            self._gone(turn)  # a reminder's button after the draft expired, say
        elif action == CONTINUE and draft is not None:
            await self._go(turn, draft, str(draft.answers.get("_step") or next_step(
                draft.answers, None)))
        elif action == START_AGAIN and draft is not None:
            # Start the questions again under the consent already given.
            draft.answers = {"writer": draft.answers.get("writer", "guardian")}
            await self._go(turn, draft, next_step(draft.answers, None))
        elif action == DELETE:
            deleted = await turn.store.drafts.delete(turn.session.key)
            turn.reset()
            message = (turn._("Your unfinished request is deleted.") if deleted
                       else turn._("There is no unfinished request."))
            turn.say(message, menu_keyboard(turn, self.router))
        elif turn.session.state.startswith("consent:"):
            await self.consent.reprompt(turn)
        elif draft is not None:
            self._offer_draft(turn, draft)
        else:
            await self.consent.start(turn)

    async def command(self, turn: Turn[IntakeStore], args: tuple[str, ...]) -> None:
        await self.open(turn, ())

    def _offer_draft(self, turn: Turn, draft: Draft) -> None:
        _ = turn._
        turn.say(
            _("You have an unfinished request, last changed on {when}. Would you like to"
              " continue it?").format(when=format_moment(draft.updated_at, turn.locale)),
            (
                (Button(label=_("Continue my request"),
                        data=callbacks.encode(REQUEST_BUTTON, CONTINUE), role="confirm"),),
                (Button(label=_("Start the questions again"),
                        data=callbacks.encode(REQUEST_BUTTON, START_AGAIN), role="choice"),),
                (Button(label=_("Delete it"), data=callbacks.encode(REQUEST_BUTTON, DELETE),
                        role="choice"),),
            ),
        )

    # --- after consent -----------------------------------------------------------------

    async def after_consent(self, turn: Turn[IntakeStore], grant: Grant) -> None:
        now = turn.deps.clock.now()
        draft = await self._load(turn)
        if grant.resumed and draft is not None:
            draft.answers["writer"] = grant.writer
            draft.answers[AGE_INFORMATION] = grant.age_information
            draft.consent_id = grant.consent_id
            prune(draft.answers)
            await self._go(turn, draft, next_step(draft.answers, None))
            return
        draft = Draft(
            subject=turn.session.key,
            channel=turn.inbound.channel,
            chat_id=turn.inbound.chat_id,
            locale=turn.locale,
            consent_id=grant.consent_id,
            answers={"writer": grant.writer, AGE_INFORMATION: grant.age_information},
            created_at=now,
            updated_at=now,
        )
        turn.say(turn._(
            "Thank you. I will ask a few questions, one at a time; it takes about five minutes."
            " You can go back, skip the optional ones or cancel at any time. Your answers are"
            " saved as you go, so you can also stop and come back later."
        ))
        await self._go(turn, draft, next_step(draft.answers, None))

    # --- buttons -------------------------------------------------------------------------

    async def handle(self, turn: Turn[IntakeStore], parts: tuple[str, ...]) -> None:
        draft = await self._load(turn)
        if draft is None:
            self._gone(turn)
            return
        if len(parts) < 2:
            await self._stale(turn, draft)
            return
        step_id, action, rest = parts[0], parts[1], parts[2:]
        if step_id != draft.answers.get("_step"):
            await self._stale(turn, draft)
            return
        # A button of the waiting question also resumes a request paused by /start or /menu.
        turn.session.state = _state(step_id)
        if action == CANCEL:
            self._confirm_cancel(turn, step_id)
        elif action == CANCEL_YES:
            await self._cancel_now(turn)
        elif action in (CANCEL_NO, AGAIN):
            await self._show(turn, draft, step_id)
        elif action == BACK:
            previous = previous_step(draft.answers, step_id)
            await self._go(turn, draft, previous or step_id)
        elif step_id == SUMMARY:
            await self._summary_button(turn, draft, action, rest)
        elif action == SKIP and BY_ID[step_id].optional:
            draft.answers.pop(step_id, None)
            await self._advance(turn, draft, step_id)
        elif action == KEEP and step_id in draft.answers:
            await self._advance(turn, draft, step_id)
        elif action == CHOOSE and len(rest) == 1:
            await self._choose(turn, draft, step_id, rest[0])
        elif action == TOGGLE and len(rest) == 1:
            await self._toggle(turn, draft, step_id, rest[0])
        elif action == DONE and BY_ID[step_id].kind == "multi":
            await self._finish_multi(turn, draft, step_id)
        else:
            await self._stale(turn, draft)

    async def _choose(
        self, turn: Turn[IntakeStore], draft: Draft, step_id: str, value: str
    ) -> None:
        if step_id == "discharge" and value == "undecided":
            draft.answers[step_id] = {"undecided": True}
            await self._advance(turn, draft, step_id)
            return
        if value not in CHOICES.get(step_id, {}):
            await self._stale(turn, draft)
            return
        if step_id == "residence" and value == "elsewhere":
            self._elsewhere(turn)
            return
        draft.answers[step_id] = value
        await self._advance(turn, draft, step_id)

    async def _toggle(
        self, turn: Turn[IntakeStore], draft: Draft, step_id: str, option_id: str
    ) -> None:
        if BY_ID[step_id].kind != "multi" or option_id not in dict(
            prompts.options(turn, step_id)
        ):
            await self._stale(turn, draft)
            return
        chosen: list[str] = list(draft.answers.get(step_id) or [])
        if option_id in chosen:
            chosen.remove(option_id)
        else:
            chosen.append(option_id)
        draft.answers[step_id] = chosen
        await self._save(turn, draft)
        turn.say(prompts.question(turn, step_id, draft.answers),
                 prompts.keyboard(turn, step_id, draft.answers))

    async def _finish_multi(self, turn: Turn[IntakeStore], draft: Draft, step_id: str) -> None:
        known = dict(prompts.options(turn, step_id))
        chosen = [c for c in draft.answers.get(step_id) or [] if c in known]
        if not chosen:
            turn.say(turn._("Please choose at least one. If none fits, choose “Other”."))
            await self._show(turn, draft, step_id)
            return
        draft.answers[step_id] = chosen
        await self._advance(turn, draft, step_id)

    # --- typed answers -------------------------------------------------------------------

    async def text(self, turn: Turn[IntakeStore], text: str) -> None:
        draft = await self._load(turn)
        if draft is None:
            self._gone(turn)
            return
        step_id = turn.session.state.partition(":")[2]
        if step_id != draft.answers.get("_step"):
            step_id = str(draft.answers.get("_step") or SUMMARY)
        if step_id == SUMMARY:
            turn.say(turn._("Please check your answers and press “Send”, or choose an answer to"
                            " change it."))
            await self._show(turn, draft, SUMMARY)
            return
        step = BY_ID[step_id]
        if step.kind != "text":
            value = self._match_label(turn, step_id, text)
            if value is not None and step.kind == "choice":
                await self._choose(turn, draft, step_id, value)
            elif value is not None:
                await self._toggle(turn, draft, step_id, value)
            else:
                await self._aside(turn, draft, step_id, text)
            return
        try:
            draft.answers[step_id] = self._validate(turn, step_id, text, draft.answers)
        except InvalidAnswer as error:
            # A question typed where an age or a date was asked is answered; a mistyped
            # answer is explained.
            if not await self._answered_aside(turn, text):
                turn.say(prompts.mistake(turn, step_id, error))
            await self._show(turn, draft, step_id)
            return
        await self._advance(turn, draft, step_id)

    async def _aside(self, turn: Turn[IntakeStore], draft: Draft, step_id: str, text: str) -> None:
        """Words typed where buttons are waiting: a question the FAQ answers is answered, and
        anything else is told where it can go; then the same question again."""
        if not await self._answered_aside(turn, text):
            turn.say(turn._(
                "I could not match that to one of the choices. If it is a question, I did not"
                " find it in my list: once this request is sent, you can write it here and it"
                " reaches the coordinator. For now, please choose with the buttons below."
            ))
        await self._show(turn, draft, step_id)

    @staticmethod
    async def _answered_aside(turn: Turn[IntakeStore], text: str) -> bool:
        entry = confident_answer(turn, text)
        if entry is None:
            return False
        await count_view(turn, entry.id, "text")
        # The answer alone, without the FAQ's buttons: the request's question follows it.
        turn.say(answer_text(turn, entry) + "\n\n" + turn._("<i>Now, back to your request.</i>"))
        return True

    def _validate(self, turn: Turn, step_id: str, text: str, answers: Answers) -> Any:
        today = in_tokyo(turn.deps.clock.now()).date()
        limit = prompts.text_limit(turn, step_id)
        if step_id == "age":
            return validate_answer(ChildAge, text, today=today).model_dump(
                mode="json", exclude_none=True)
        if step_id == "birth_month":
            return validate_answer(BirthMonth, text, today=today, age=answers.get("age")).month
        if step_id == "discharge":
            return validate_answer(Discharge, text, today=today).model_dump(
                mode="json", exclude_none=True)
        if step_id == "phone":
            return validate_answer(Phone, text).number
        if step_id == "name":
            return validate_answer(PersonName, text).text
        return validate_answer(FreeText, text, limit=limit, multiline=step_id == "note").text

    def _match_label(self, turn: Turn, step_id: str, text: str) -> str | None:
        """A typed answer that is exactly one of the button labels counts as pressing it."""
        wanted = " ".join(text.split()).casefold()
        if BY_ID[step_id].kind == "choice":
            pairs = [(v, plain(turn._(label))) for v, label in CHOICES[step_id].items()]
        else:
            pairs = prompts.options(turn, step_id)
        return next((v for v, label in pairs if label.casefold() == wanted), None)

    # --- moving between questions --------------------------------------------------------

    async def _advance(self, turn: Turn[IntakeStore], draft: Draft, step_id: str) -> None:
        mark_done(draft.answers, step_id)
        prune(draft.answers)
        await self._go(turn, draft, next_step(draft.answers, step_id))

    async def _go(self, turn: Turn[IntakeStore], draft: Draft, step_id: str) -> None:
        if step_id != SUMMARY and step_id not in {s.id for s in applicable(draft.answers)}:
            step_id = next_step(draft.answers, None)
        draft.answers["_step"] = step_id
        turn.session.state = _state(step_id)
        await self._save(turn, draft)
        await self._show(turn, draft, step_id)

    async def _show(self, turn: Turn, draft: Draft, step_id: str) -> None:
        if step_id == SUMMARY:
            self._summary(turn, draft)
        else:
            prompts.show(turn, step_id, draft.answers)

    async def reprompt(self, turn: Turn[IntakeStore]) -> None:
        draft = await self._load(turn)
        if draft is None:
            self._gone(turn)
            return
        step_id = str(draft.answers.get("_step") or next_step(draft.answers, None))
        turn.session.state = _state(step_id)
        await self._show(turn, draft, step_id)

    # --- summary -------------------------------------------------------------------------

    def _summary(self, turn: Turn, draft: Draft) -> None:
        _ = turn._
        lines = [_("<b>Please check your request</b>"), *answer_lines(turn, draft.answers)]
        for chunk in _chunks(lines, READABLE_REPLY_CHARS):
            turn.say(chunk)
        fields = ["writer", *(s.id for s in applicable(draft.answers))]
        edit = [
            Button(label="✏️ " + field_title(turn, f),
                   data=callbacks.encode(INTAKE_BUTTON, SUMMARY, EDIT, f), role="choice")
            for f in fields
        ]
        rows: list[ButtonRow] = [tuple(edit[i:i + 2]) for i in range(0, len(edit), 2)]
        rows.append((Button(label=_("✅ Send to the coordinators"),
                            data=callbacks.encode(INTAKE_BUTTON, SUMMARY, SEND), role="confirm"),))
        rows.append(prompts.nav_row(turn, SUMMARY, draft.answers))
        turn.say(_("Press “Send to the coordinators” when everything is right, or choose an"
                   " answer to change it."), tuple(rows))

    async def _summary_button(self, turn: Turn[IntakeStore], draft: Draft, action: str,
                              rest: tuple[str, ...]) -> None:
        if action == EDIT and rest == ("writer",):
            # Who is writing decides what the guardian must confirm: ask consent again.
            await self.consent.start(turn, resumed=True)
        elif action == EDIT and len(rest) == 1 and rest[0] in {
            s.id for s in applicable(draft.answers)
        }:
            await self._go(turn, draft, rest[0])
        elif action == SEND:
            await self._send(turn, draft)
        else:
            await self._stale(turn, draft)

    async def _send(self, turn: Turn[IntakeStore], draft: Draft) -> None:
        intake = turn.content.intake
        if intake is None or not turn.content.takes_requests:
            turn.say(turn._("Requests through this chat are not available at the moment. Your"
                            " answers are kept as a draft; please try again later."))
            return
        try:
            answers = validate_answer(
                IntakeAnswers,
                final_answers(draft.answers),
                today=in_tokyo(turn.deps.clock.now()).date(),
                care_ids={o.id for o in intake.care_types},
                help_ids={o.id for o in intake.help_options},
            )
        except InvalidAnswer as error:
            # An answer went stale while the draft waited (a discharge date that has passed,
            # an option staff removed): ask that question again instead of sending it.
            step_id = str(error.params.get("step") or next_step(draft.answers, None))
            if step_id not in BY_ID:
                step_id = next_step(draft.answers, None)
            draft.answers["_done"] = [s for s in draft.answers.get("_done", []) if s != step_id]
            turn.say(turn._("One answer needs to be given again before sending:"
                            " {field}.").format(field=esc(field_title(turn, step_id))))
            await self._go(turn, draft, step_id)
            return
        await self.tickets.submit(turn, draft, answers)

    # --- leaving -------------------------------------------------------------------------

    def _confirm_cancel(self, turn: Turn, step_id: str) -> None:
        _ = turn._
        turn.say(
            _("Cancel this request? The answers you gave so far will be deleted."),
            (
                (Button(label=_("Yes, cancel and delete"),
                        data=callbacks.encode(INTAKE_BUTTON, step_id, CANCEL_YES),
                        role="confirm"),),
                (Button(label=_("No, continue"),
                        data=callbacks.encode(INTAKE_BUTTON, step_id, CANCEL_NO), role="cancel"),),
            ),
        )

    async def _cancel_now(self, turn: Turn[IntakeStore]) -> None:
        await turn.store.drafts.delete(turn.session.key)
        turn.reset()
        turn.say(turn._("Cancelled. Your answers are deleted and nothing was sent."),
                 menu_keyboard(turn, self.router))

    async def cancel_command(
        self, turn: Turn[Store], fallback: Handler, args: tuple[str, ...]
    ) -> None:
        """/cancel inside a request asks before deleting the answers; elsewhere as usual."""
        state = turn.session.state
        if state.startswith(STATE + ":"):
            self._confirm_cancel(turn, state.partition(":")[2])
        elif state.startswith("consent:"):
            await self.consent.cancel(turn)
        else:
            await fallback(turn, args)

    def _elsewhere(self, turn: Turn) -> None:
        _ = turn._
        turn.say(
            join_lines([
                _("The coordinators of this desk help families who live in Chiyoda City, or"
                  " who are moving here."),
                _("Please ask the office for children's or disability welfare of your own city,"
                  " ward, town or village: they can tell you who helps children who need"
                  " medical care there."),
                _("The Tokyo Metropolitan Support Center for Children Requiring Medical Care"
                  " takes questions from families living in Tokyo on weekdays: wards area"
                  " {wards}, Tama area {tama}.").format(wards=TOKYO_CENTER_WARDS,
                                                       tama=TOKYO_CENTER_TAMA),
            ]),
            (
                (Button(label=_("← Change my answer"),
                        data=callbacks.encode(INTAKE_BUTTON, "residence", AGAIN), role="cancel"),),
                (Button(label=_("End here and delete my answers"),
                        data=callbacks.encode(INTAKE_BUTTON, "residence", CANCEL_YES),
                        role="confirm"),),
            ),
        )

    async def _stale(self, turn: Turn[IntakeStore], draft: Draft) -> None:
        turn.toast = turn._("This button no longer works.")
        turn.say(turn._("That button belongs to an earlier question. Here is the current one."))
        await self.reprompt(turn)

    def _gone(self, turn: Turn) -> None:
        turn.reset()
        turn.say(
            turn._("That request is no longer stored: it was sent, cancelled or withdrawn, or it"
                   " was deleted after 7 days without changes. You can start a new one from the"
                   " menu."),
            menu_keyboard(turn, self.router),
        )

    # --- storage -------------------------------------------------------------------------

    async def _load(self, turn: Turn[IntakeStore]) -> Draft | None:
        return await turn.store.drafts.load(turn.session.key)

    async def _save(self, turn: Turn[IntakeStore], draft: Draft) -> None:
        draft.updated_at = turn.deps.clock.now()
        draft.locale = turn.locale
        await turn.store.drafts.save(draft)


def _chunks(lines: list[Html], limit: int) -> list[Html]:
    """Join lines into messages no longer than ``limit`` (a long note gets its own)."""
    chunks: list[Html] = []
    current = BLANK
    for line in lines:
        candidate = join_lines([current, line]) if current else line
        if len(candidate) > limit and current:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def expects_typed_answer(step_id: str) -> bool:
    step = BY_ID.get(step_id)
    return step is not None and step.kind == "text"


def register(router: Router, consent: ConsentFlow, tickets: TicketsFlow) -> IntakeFlow:
    flow = IntakeFlow(router, consent, tickets)
    consent.on_granted(flow.after_consent)
    router.button(REQUEST_BUTTON, flow.open)
    router.button(INTAKE_BUTTON, flow.handle)
    router.state(STATE, flow.text, flow.reprompt, typed=expects_typed_answer)
    router.command("request", flow.command, N_("Ask a coordinator for help"))
    router.menu_entry(
        lambda turn: (
            Button(label=turn._("📝 Ask a coordinator for help"),
                   data=callbacks.encode(REQUEST_BUTTON), role="navigate"),
        )
    )
    # /cancel belongs to the menu; inside a request it must also delete the draft, so the
    # menu's handler is wrapped rather than replaced.
    def inside_a_request(fallback: Handler) -> Handler:
        async def cancel(turn: Turn[Store], args: tuple[str, ...]) -> None:
            await flow.cancel_command(turn, fallback, args)

        return cancel

    router.wrap_command("cancel", inside_a_request)
    return flow
