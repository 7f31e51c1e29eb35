"""A step seen from the desk: who is acting, in which chat, in the desk's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from content.base import Locale, Translator
from flows.address import Address, address
from flows.desk.views import member_name
from flows.model import Inbound, Keyboard, Session
from flows.ports import CoordinatorStore, Outbox, Roster
from flows.records import DeskTicket, OutboxKind, OutboxMessage, RosterMember
from flows.text import Html, catalog, clip
from flows.turn import Deps, Turn

# A toast (the notice after a button press) shows about this much.
TOAST_CHARS = 190
# The rendering-only turn's inbound: nobody wrote it.
_NOBODY = address("telegram", 0)


def desk_translator(deps: Deps) -> Translator:
    return deps.translations.for_locale(deps.desk.locale)


def view_turn(deps: Deps, store: object, locale: Locale) -> Turn:
    """A turn that only renders (for the outbox worker, or in another person's language),
    so the intake's own renderers such as ``answer_lines`` serve the desk too."""
    return Turn(
        inbound=Inbound(channel="telegram", user_id=_NOBODY, chat_id=_NOBODY, kind="unsupported"),
        session=Session(key="desk:view", locale=locale),
        deps=deps,
        store=store,
    )


async def enqueue(outbox: Outbox, now: datetime, kind: OutboxKind, ticket: DeskTicket | None,
                  recipient: Address | None = None, **payload: str | int | bool | None) -> None:
    """An outbox row for the worker. Payloads carry ids and codes, never what was written."""
    await outbox.enqueue(
        OutboxMessage(
            kind=kind,
            ticket_id=ticket.id if ticket else None,
            office=ticket.office if ticket else None,
            recipient=recipient,
            payload={"reference": ticket.reference if ticket else None, **payload},
        ),
        now,
    )


async def roster_names(roster: Roster) -> dict[Address, str]:
    return {m.user_id: m.display_name for m in await roster.members() if m.display_name}


@dataclass
class DeskTurn:
    turn: Turn[CoordinatorStore]
    member: RosterMember

    @property
    def t(self) -> Translator:
        return desk_translator(self.turn.deps)

    def _(self, message: str) -> Html:
        return catalog(self.t.gettext)(message)

    @property
    def store(self) -> CoordinatorStore:
        return self.turn.store

    @property
    def now(self) -> datetime:
        return self.turn.deps.clock.now()

    @property
    def in_group(self) -> bool:
        return self.turn.inbound.chat_type != "private"

    @property
    def pressed(self) -> bool:
        return self.turn.inbound.kind == "button"

    def say(self, text: Html, buttons: Keyboard = ()) -> None:
        # The desk's buttons act on tickets: a coordinator comes back to them later.
        self.turn.say(text, buttons, keep_buttons=True)

    def tell(self, text: Html) -> None:
        """The answer to the coordinator: a message, and after a button press a toast.

        In the group a press gets the toast only: a message there is read by everyone, and
        the card the button sits on shows the ticket's state (who holds it, closed) itself.
        In a private chat the message is sent too, since channels without toasts drop them.
        """
        if self.pressed:
            self.turn.toast = clip(text, TOAST_CHARS)
            if self.in_group:
                return
        self.say(text)

    def acknowledge(self, text: Html) -> None:
        """A toast only, for a press whose reply shows the same (the list it edits)."""
        self.turn.toast = clip(text, TOAST_CHARS)

    async def audit(self, action: str, ticket: DeskTicket | None, detail: str | None = None
                    ) -> None:
        await self.store.audit.write(
            at=self.now, actor=str(self.member.user_id), action=action,
            subject=ticket.reference if ticket else None, detail=detail,
        )

    async def enqueue(self, kind: OutboxKind, ticket: DeskTicket | None,
                      recipient: Address | None = None, **payload: str | int | bool | None) -> None:
        await enqueue(self.store.outbox, self.now, kind, ticket, recipient, **payload)

    async def names(self) -> dict[Address, str]:
        return await roster_names(self.store.roster)

    async def name_of(self, user_id: Address | None) -> str:
        return member_name(await self.names(), user_id, self.t)
