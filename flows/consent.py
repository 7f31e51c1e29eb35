"""Consent before any detail is asked: who is writing, one plain screen, separate choices.

Nothing about the child is asked before the person agrees. Every decision — granted or
declined — is appended to the consent log with the text's version and a hash of exactly
what was shown, so the ward can prove what each family agreed to. Declining keeps nothing
but that refusal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from content.base import N_
from content.intake_models import ConsentText
from flows import callbacks
from flows.menu import menu_keyboard
from flows.model import Button, Keyboard
from flows.ports import ConsentStore, Store
from flows.records import ConsentDecision, ConsentDecisionKind, WriterRole
from flows.router import Router
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.turn import Turn

STATE_ROLE = "consent:role"
STATE_CHOICES = "consent:choices"
# Session data of the screen in progress: who is writing and what is ticked. None of it is
# about the child, and it is dropped as soon as the person decides.
DATA_KEY = "consent"
# Button data: v1:cs:role:<writer>, v1:cs:t:<choice> (tick), v1:cs:ok, v1:cs:no, v1:cs:cancel.
CONSENT_BUTTON = "cs"
ROLE, TICK, AGREE, DISAGREE, CANCEL = "role", "t", "ok", "no", "cancel"

Choice = Literal["intake", "share", "info", "confirm"]
CHOICES: tuple[Choice, ...] = ("intake", "share", "info", "confirm")
WRITERS: dict[str, WriterRole] = {"guardian": "guardian", "family": "family", "pro": "professional"}
WRITER_LABELS: dict[WriterRole, str] = {
    "guardian": N_("I am the child's parent or guardian"),
    "family": N_("A family member, writing for the guardian"),
    "professional": N_("A professional (hospital social worker, visiting nurse…)"),
}


@dataclass(frozen=True)
class Grant:
    """What the intake needs to know about a consent just given."""

    consent_id: int
    writer: WriterRole
    share_with_departments: bool
    age_information: bool
    # True when the consent was asked again from the summary ("who is writing" changed).
    resumed: bool


# The feature that asked for consent carries on with the same turn, so it gets it whole.
GrantHandler = Callable[[Turn[Store], Grant], Awaitable[None]]


def is_proxy(writer: WriterRole) -> bool:
    return writer != "guardian"


def retention_sentence(turn: Turn, text: ConsentText) -> str:
    intake = turn.content.intake
    days = intake.closed_ticket_retention_days if intake else None
    if days is None:
        return text.retention_not_set
    return text.retention.replace("{days}", str(days))


def consent_screen(turn: Turn, text: ConsentText, writer: WriterRole) -> Html:
    """The whole consent text as shown; its hash is what the log records."""
    _ = turn._
    lines = [
        markup("<b>{}</b>").format(text.title),
        BLANK,
        esc(text.purpose),
        BLANK,
        _("<b>Who sees your details</b>"),
        esc(text.who_sees),
        BLANK,
        _("<b>What is stored, and for how long</b>"),
        esc(text.what_stored),
        esc(retention_sentence(turn, text)),
        BLANK,
        _("<b>It is your choice</b>"),
        esc(text.voluntary),
        BLANK,
        _("<b>Seeing or deleting your details later</b>"),
        esc(text.your_rights),
        BLANK,
        _("<b>What you can agree to</b>"),
        esc(text.choice_intake.text),
        esc(text.choice_share.text),
        esc(text.choice_info.text),
    ]
    if is_proxy(writer):
        lines += [BLANK, esc(text.proxy_confirm.text)]
    lines += [BLANK, _("<i>Consent text version {version}</i>").format(version=esc(text.version))]
    return join_lines(lines)


def text_hash(screen: str, text: ConsentText) -> str:
    # The button labels are part of what the person agreed to, so they are hashed too.
    labels = [c.label for c in (text.choice_intake, text.choice_share, text.choice_info,
                                text.proxy_confirm)]
    payload = "\n".join([screen, *labels]).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


class ConsentFlow:
    def __init__(self, router: Router) -> None:
        self.router = router
        self._on_granted: GrantHandler | None = None

    def on_granted(self, handler: GrantHandler) -> None:
        """The intake registers here what follows a consent."""
        self._on_granted = handler

    # --- entry -------------------------------------------------------------------------

    async def start(self, turn: Turn, *, resumed: bool = False) -> None:
        if not turn.content.takes_requests:
            self._unavailable(turn)
            return
        turn.session.data[DATA_KEY] = {"resumed": resumed, "ticks": []}
        turn.session.state = STATE_ROLE
        self._ask_role(turn)

    def _unavailable(self, turn: Turn) -> None:
        turn.reset()
        turn.say(
            turn._(
                "Requests through this chat are not available at the moment. Please contact"
                " the coordinators' offices directly; you will find them below."
            ),
            menu_keyboard(turn, self.router),
        )

    def _ask_role(self, turn: Turn) -> None:
        _ = turn._
        rows: Keyboard = tuple(
            (Button(label=_(WRITER_LABELS[writer]),
                    data=callbacks.encode(CONSENT_BUTTON, ROLE, code), role="choice"),)
            for code, writer in WRITERS.items()
        )
        cancel = Button(label=_("✖ Cancel"), data=callbacks.encode(CONSENT_BUTTON, CANCEL),
                        role="cancel")
        turn.say(
            join_lines(
                [
                    _("<b>Ask a coordinator for help</b>"),
                    _("A coordinator can help your family with what you tell me here. It takes"
                      " about five minutes."),
                    BLANK,
                    _("First: who is filling in this request?"),
                ]
            ),
            (*rows, (cancel,)),
        )

    # --- buttons -----------------------------------------------------------------------

    async def handle(self, turn: Turn[Store], parts: tuple[str, ...]) -> None:
        # Buttons are untrusted: only the exact shapes this screen makes are accepted.
        action = parts[0] if len(parts) in (1, 2) else ""
        if len(parts) == 2 and action not in (ROLE, TICK):
            action = ""
        if action == CANCEL:
            await self.cancel(turn)
            return
        if not turn.content.takes_requests:
            self._unavailable(turn)
            return
        data = self._data(turn)
        if data is None or not turn.session.state.startswith("consent:"):
            turn.toast = turn._("This button no longer works.")
            turn.say(
                turn._("That consent screen is no longer open. To make a request, choose"
                       " “Ask a coordinator for help” in the menu."),
                menu_keyboard(turn, self.router),
            )
            return
        if action == ROLE and len(parts) == 2 and parts[1] in WRITERS:
            data["writer"] = WRITERS[parts[1]]
            data["ticks"] = []
            turn.session.state = STATE_CHOICES
            self._show_screen(turn)
        elif action == TICK and len(parts) == 2 and parts[1] in CHOICES and "writer" in data:
            ticks: list[str] = data["ticks"]
            if parts[1] in ticks:
                ticks.remove(parts[1])
            else:
                ticks.append(parts[1])
            self._show_choices(turn)
        elif action == AGREE and "writer" in data:
            await self._agree(turn)
        elif action == DISAGREE and "writer" in data:
            await self._decline(turn)
        else:
            turn.toast = turn._("This button no longer works.")
            await self.reprompt(turn)

    async def text(self, turn: Turn, text: str) -> None:
        turn.say(turn._("Please answer with the buttons."))
        await self.reprompt(turn)

    async def reprompt(self, turn: Turn) -> None:
        data = self._data(turn)
        if data is None or turn.session.state == STATE_ROLE or "writer" not in data:
            if data is None:
                turn.session.data[DATA_KEY] = {"resumed": False, "ticks": []}
            turn.session.state = STATE_ROLE
            self._ask_role(turn)
        else:
            self._show_screen(turn)

    # --- the screen --------------------------------------------------------------------

    def _text(self, turn: Turn) -> ConsentText:
        return turn.content.consent[turn.locale]

    def _writer(self, turn: Turn) -> WriterRole:
        data = self._data(turn) or {}
        return cast(WriterRole, data.get("writer", "guardian"))

    def _show_screen(self, turn: Turn) -> None:
        if not turn.content.takes_requests:
            self._unavailable(turn)
            return
        turn.say(consent_screen(turn, self._text(turn), self._writer(turn)))
        self._show_choices(turn)

    def _show_choices(self, turn: Turn) -> None:
        _ = turn._
        text = self._text(turn)
        ticks = set((self._data(turn) or {}).get("ticks", []))
        labels: dict[Choice, str] = {
            "intake": text.choice_intake.label,
            "share": text.choice_share.label,
            "info": text.choice_info.label,
            "confirm": text.proxy_confirm.label,
        }
        shown = CHOICES if is_proxy(self._writer(turn)) else CHOICES[:3]
        rows: list[tuple[Button, ...]] = [
            (Button(label=("✅ " if c in ticks else "⬜ ") + labels[c],
                    data=callbacks.encode(CONSENT_BUTTON, TICK, c), role="choice"),)
            for c in shown
        ]
        rows.append(
            (
                Button(label=_("Continue"), data=callbacks.encode(CONSENT_BUTTON, AGREE),
                       role="confirm"),
                Button(label=_("I do not agree"), data=callbacks.encode(CONSENT_BUTTON, DISAGREE),
                       role="cancel"),
            )
        )
        turn.say(
            _("Tick what you agree to, then press “Continue”. Item 1 is needed to make a"
              " request; items 2 and 3 are up to you."),
            tuple(rows),
        )

    # --- decisions ---------------------------------------------------------------------

    async def _agree(self, turn: Turn[Store]) -> None:
        _ = turn._
        data = self._data(turn) or {}
        ticks = set(data.get("ticks", []))
        writer = self._writer(turn)
        if "intake" not in ticks:
            turn.say(_("Item 1 is needed to make a request: without it a coordinator cannot use"
                       " your answers. If you do not want to make a request, press “I do not"
                       " agree”."))
            self._show_choices(turn)
            return
        if is_proxy(writer) and "confirm" not in ticks:
            turn.say(_("As you are filling this in for a family, please confirm that the"
                       " child's guardian agreed, by ticking the last item."))
            self._show_choices(turn)
            return
        consent_id = await self._record(turn, "granted", ticks)
        grant = Grant(
            consent_id=consent_id,
            writer=writer,
            share_with_departments="share" in ticks,
            age_information="info" in ticks,
            resumed=bool(data.get("resumed")),
        )
        turn.session.data.pop(DATA_KEY, None)
        turn.toast = _("Thank you.")
        if self._on_granted is None:  # pragma: no cover - wired in build_flows
            raise RuntimeError("nothing registered to follow a consent")
        await self._on_granted(turn, grant)

    async def _decline(self, turn: Turn[ConsentStore]) -> None:
        await self._record(turn, "declined", set())
        # Nothing but the refusal may remain: an unfinished request asked for again from
        # its summary goes too.
        await turn.store.drafts.delete(turn.session.key)
        text = self._text(turn)
        turn.session.data.pop(DATA_KEY, None)
        turn.reset()
        turn.say(esc(text.declined), menu_keyboard(turn, self.router))

    async def cancel(self, turn: Turn) -> None:
        """Leaving before deciding: no decision was made, so nothing is recorded."""
        resumed = bool((self._data(turn) or {}).get("resumed"))
        turn.session.data.pop(DATA_KEY, None)
        turn.reset()
        if resumed:
            message = turn._("Nothing was changed. Your unfinished request is still saved; choose"
                             " “Ask a coordinator for help” to continue it.")
        else:
            message = turn._("Cancelled. Nothing was stored.")
        turn.say(message, menu_keyboard(turn, self.router))

    async def _record(
        self, turn: Turn[ConsentStore], decision: ConsentDecisionKind, ticks: set[str]
    ) -> int:
        text = self._text(turn)
        writer = self._writer(turn)
        screen = consent_screen(turn, text, writer)
        return await turn.store.consents.append(
            ConsentDecision(
                subject=turn.session.key,
                at=turn.deps.clock.now(),
                decision=decision,
                locale=turn.locale,
                text_version=text.version,
                text_hash=text_hash(screen, text),
                use_for_request="intake" in ticks,
                share_with_departments="share" in ticks,
                age_information="info" in ticks,
                writer=writer,
                guardian_confirmed=is_proxy(writer) and "confirm" in ticks,
            )
        )

    @staticmethod
    def _data(turn: Turn) -> dict[str, Any] | None:
        data = turn.session.data.get(DATA_KEY)
        return data if isinstance(data, dict) else None


def register(router: Router) -> ConsentFlow:
    flow = ConsentFlow(router)
    router.button(CONSENT_BUTTON, flow.handle)
    router.state("consent", flow.text, flow.reprompt)
    return flow
