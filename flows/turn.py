"""One step of a conversation: what came in, what the engine may use, what goes out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol

from typing_extensions import TypeVar

from content.base import Locale, Translator
from content.loader import Content
from content.records import EmergencyDetector, FaqMatcher
from flows.address import Address
from flows.model import Button, Inbound, Keyboard, Reply, Session, locale_from_language_code
from flows.ports import Audited, Clock, ContentEditor, NextMilestone, Store, Translations
from flows.records import DeskSettings
from flows.text import Html


class ContentSource(Protocol):
    """Hands out the content in force now (staff edits may swap it while running)."""

    def current(self) -> Content: ...

    def matcher(self) -> FaqMatcher: ...


@dataclass(frozen=True)
class Deps:
    content: ContentSource
    emergency: EmergencyDetector
    translations: Translations
    clock: Clock
    # Writes staff edits into the content files; None where the content is read-only
    # (tests with fixed content, `tsunagu ask`).
    editor: ContentEditor | None = None
    # The coordinators' desk: their group, their language, reminder rules.
    desk: DeskSettings = field(default_factory=DeskSettings)
    # The schedule of stages of growth, for /families; None shows no next milestone.
    milestones: NextMilestone | None = None


# The repositories a turn reaches. A feature's function names the narrow store it uses
# (``Turn[IntakeStore]``, flows/ports.py); a bare ``Turn`` reaches none, so a function that
# starts to use a repository has to say so in its signature. The engine's turns carry the
# whole Store, which has every feature's repositories (the type is covariant).
StoreT = TypeVar("StoreT", covariant=True, default=object)


@dataclass
class Turn(Generic[StoreT]):
    inbound: Inbound
    session: Session
    deps: Deps
    store: StoreT
    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None

    @property
    def locale(self) -> Locale:
        return self.session.locale or locale_from_language_code(self.inbound.language_code)

    @property
    def t(self) -> Translator:
        return self.deps.translations.for_locale(self.locale)

    def _(self, message: str) -> Html:
        # Catalog strings are ours and reviewed: markup in them is meant; ``.format`` on the
        # result escapes whatever is put into it.
        return Html(self.t.gettext(message))

    @property
    def content(self) -> Content:
        return self.deps.content.current()

    def say(self, text: Html, buttons: Keyboard = (), chat_id: Address | None = None, *,
            keep_buttons: bool = False) -> None:
        self.replies.append(Reply(text=text, buttons=buttons, chat_id=chat_id,
                                  keep_buttons=keep_buttons))

    async def record_denied(self: Turn[Audited], what: str) -> None:
        """Audit an attempt at something this person may not do (desk or staff tools):
        who and what (a command, a button's prefix), never the text they sent."""
        await self.store.audit.write(
            at=self.deps.clock.now(), actor=str(self.inbound.user_id), action="denied",
            subject=what,
        )

    def reset(self) -> None:
        """Back to the menu's resting state, dropping any half-finished step."""
        self.session.state = "idle"
        self.session.data.pop("step", None)


ButtonRow = tuple[Button, ...]
Handler = Callable[[Turn[Store], tuple[str, ...]], Awaitable[None]]
TextHandler = Callable[[Turn[Store], str], Awaitable[None]]
MenuEntry = Callable[[Turn], ButtonRow | None]
Reprompt = Callable[[Turn[Store]], Awaitable[None]]
