"""The engine: an inbound plus the saved session in, replies and the new session out."""

from __future__ import annotations

from flows import callbacks, consent, desk, faq, menu, offices, staff, tickets
from flows.emergency import say_emergency, say_maybe
from flows.intake import flow as intake
from flows.model import Inbound, Outcome, Session
from flows.ports import Store
from flows.router import Router
from flows.turn import Deps, Turn

# Beyond this a message is almost certainly pasted by mistake; the start is still read.
LONG_MESSAGE_CHARS = 4000


def build_flows() -> tuple[Router, menu.MenuFlow, faq.FaqFlow, desk.DeskFlow]:
    router = Router()
    menu_flow = menu.register(router)
    faq_flow = faq.register(router)
    intake.register(router, consent.register(router), tickets.register(router))
    offices.register(router)
    staff.register(router, menu_flow, faq_flow)
    desk_flow = desk.register(router, menu_flow, faq_flow)
    return router, menu_flow, faq_flow, desk_flow


class Engine:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.router, self._menu, self._faq, self._desk = build_flows()

    async def handle(self, inbound: Inbound, session: Session, store: Store) -> Outcome:
        # Work on a copy: a step that fails half-way must not leave its changes behind.
        turn = Turn(inbound=inbound, session=session.model_copy(deep=True), deps=self.deps,
                    store=store)
        if inbound.chat_type == "private":
            await self._private(turn)
        elif self._desk.is_desk_chat(turn):
            # The coordinators' group; other groups the bot is added to get no answer.
            await self._desk.in_group(turn)
        return Outcome(replies=turn.replies, session=turn.session, toast=turn.toast)

    async def _private(self, turn: Turn) -> None:
        inbound = turn.inbound
        await self._desk.note_private_chat(turn)
        if inbound.kind == "command":
            await self._command(turn)
        elif inbound.kind == "button":
            await self._button(turn)
        elif inbound.kind == "text":
            await self._text(turn, inbound.text)
        else:
            await self._unsupported(turn)

    async def _command(self, turn: Turn) -> None:
        name = turn.inbound.command or ""
        args = (turn.inbound.text,)
        handler = self.router.commands.get(name)
        if handler is None:
            self._menu.unknown_command(turn)
            return
        await handler(turn, args)

    async def _button(self, turn: Turn) -> None:
        parts = callbacks.parse(turn.inbound.button)
        handler = self.router.buttons.get(parts[0]) if parts else None
        if parts is None or handler is None:
            self._menu.stale_button(turn)
            return
        await handler(turn, parts[1:])

    async def _text(self, turn: Turn, text: str) -> None:
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
        state_prefix = turn.session.state.partition(":")[0]
        if state_prefix in self.router.authored_states:
            # Staff writing an FAQ answer about breathing trouble is not an emergency.
            await self.router.states[state_prefix](turn, text)
            return
        # A coordinator answering a ticket's message writes to a family, not to the FAQ.
        if turn.inbound.reply_to_text and await self._desk.coordinator_reply(turn, text):
            return
        assessment = self.deps.emergency.assess(text)
        if assessment.emergency:
            say_emergency(turn, assessment)
        elif assessment.possible:
            say_maybe(turn)
        state_handler = self.router.states.get(state_prefix)
        if state_handler is not None:
            await state_handler(turn, text)
            return
        # A family with an open request: their words go to it (after any emergency notice).
        if await self._desk.family_text(turn, text, emergency=assessment.emergency):
            return
        if len(text) > LONG_MESSAGE_CHARS:
            turn.say(
                turn._(
                    "Your message is very long, so I read its beginning and end. A coordinator"
                    " can go through the whole story with you."
                )
            )
        await self._faq.answer_free_text(turn, text, after_emergency=assessment.emergency)

    async def _unsupported(self, turn: Turn) -> None:
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
