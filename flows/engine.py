"""The engine: an inbound plus the saved session in, replies and the new session out."""

from __future__ import annotations

from content.records import EmergencyAssessment
from flows import (
    arrivals,
    callbacks,
    consent,
    desk,
    faq,
    menu,
    milestones,
    offices,
    staff,
    tickets,
)
from flows.emergency import say_emergency, say_maybe
from flows.intake import flow as intake
from flows.model import Inbound, Outcome, Session
from flows.ports import Store
from flows.router import AFTER_DANGER_STATE, BEFORE_DANGER_AUTHORED, Router
from flows.turn import Deps, Turn


def build_flows() -> tuple[Router, menu.MenuFlow]:
    """Every feature registered on one router. Free text then passes, in order: staff
    writing content, a coordinator answering a ticket (desk) — the emergency check — the
    step the conversation waits in, a family's open request (desk), the FAQ (faq)."""
    router = Router()
    menu_flow = menu.register(router)
    faq_flow = faq.register(router)
    intake.register(router, consent.register(router), tickets.register(router))
    offices.register(router)
    staff.register(router, menu_flow, faq_flow)
    desk.register(router, menu_flow, faq_flow)
    milestones.register(router)
    arrivals.register(router)
    return router, menu_flow


class Engine:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.router, self._menu = build_flows()
        self.router.text_before_danger(BEFORE_DANGER_AUTHORED, self._authored)
        self.router.text_after_danger(AFTER_DANGER_STATE, self._waiting_step)

    async def handle(self, inbound: Inbound, session: Session, store: Store) -> Outcome:
        # Work on a copy: a step that fails half-way must not leave its changes behind.
        turn = Turn(inbound=inbound, session=session.model_copy(deep=True), deps=self.deps,
                    store=store)
        if inbound.chat_type == "private":
            await self._private(turn)
        else:
            # Groups a feature answers in (the coordinators'); others get no answer.
            for is_ours, handler in self.router.group_chats:
                if is_ours(turn):
                    await handler(turn)
                    break
        return Outcome(replies=turn.replies, session=turn.session, toast=turn.toast)

    async def _private(self, turn: Turn[Store]) -> None:
        inbound = turn.inbound
        for hook in self.router.private_hooks:
            await hook(turn)
        if inbound.kind == "command":
            await self._command(turn)
        elif inbound.kind == "button":
            await self._button(turn)
        elif inbound.kind == "text":
            await self._text(turn, inbound.text)
        else:
            await self._unsupported(turn)

    async def _command(self, turn: Turn[Store]) -> None:
        name = turn.inbound.command or ""
        args = (turn.inbound.text,)
        handler = self.router.commands.get(name)
        if handler is None:
            self._menu.unknown_command(turn)
            return
        await handler(turn, args)

    async def _button(self, turn: Turn[Store]) -> None:
        parts = callbacks.parse(turn.inbound.button)
        handler = self.router.buttons.get(parts[0]) if parts else None
        if parts is None or handler is None:
            self._menu.stale_button(turn)
            return
        await handler(turn, parts[1:])

    async def _text(self, turn: Turn[Store], text: str) -> None:
        text = text.strip()
        if not text:
            # An empty message in the middle of a step is no reason to leave it: ask its
            # question again. Outside a step the menu is the natural answer.
            reprompt = self.router.reprompts.get(turn.session.state.partition(":")[0])
            if reprompt is not None:
                await reprompt(turn)
            else:
                self._menu.show_menu(turn)
            return
        for _, before in self.router.before_danger:
            if await before(turn, text):
                return
        # Here, by construction, before any feature that reads a parent's words.
        assessment = self.deps.emergency.assess(text)
        if assessment.emergency:
            say_emergency(turn, assessment)
        elif assessment.possible:
            say_maybe(turn)
        for _, after in self.router.after_danger:
            if await after(turn, text, assessment):
                return

    async def _authored(self, turn: Turn[Store], text: str) -> bool:
        """Staff writing an FAQ answer about breathing trouble is not an emergency."""
        prefix = turn.session.state.partition(":")[0]
        if prefix not in self.router.authored_states:
            return False
        await self.router.states[prefix](turn, text)
        return True

    async def _waiting_step(self, turn: Turn[Store], text: str, _: EmergencyAssessment) -> bool:
        """The step the conversation waits in (a question of the intake, say) reads it."""
        handler = self.router.states.get(turn.session.state.partition(":")[0])
        if handler is None:
            return False
        await handler(turn, text)
        return True

    async def _unsupported(self, turn: Turn[Store]) -> None:
        what = turn.inbound.unsupported_what
        _ = turn._
        message = _("I can only read text messages. Please type your question in words.")
        if what in ("voice", "audio", "video_note"):
            message = _("I cannot listen to voice messages. Please type your question in words.")
        elif what in ("photo", "document", "video"):
            message = _(
                "Please do not send photos or documents here: I cannot read them, and details"
                " about your child are best shared with a coordinator directly."
            )
        turn.say(message)
        # In the middle of a step, ask its question again so the parent knows where they are.
        reprompt = self.router.reprompts.get(turn.session.state.partition(":")[0])
        if reprompt is not None:
            await reprompt(turn)
