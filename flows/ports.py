"""The narrow interfaces through which the engine talks to the world.

Each is implemented for real outside flows/ (content/, storage/, bot/) and by
small in-memory fakes in the tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from flows.model import Locale


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class Translator(Protocol):
    locale: Locale

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class Translations(Protocol):
    def for_locale(self, locale: Locale) -> Translator: ...


MatchMode = Literal["answer", "suggest", "refuse"]


class FaqMatch(BaseModel):
    """How the FAQ answers one message.

    answer: ``topic`` is confidently right. suggest: ``suggestions`` are the
    likeliest topics, best first. refuse: nothing fits; ``offtopic`` names a
    known other ward matter when the message is about one.
    """

    model_config = ConfigDict(frozen=True)

    mode: MatchMode
    topic: str | None = None
    confidence: float = 0.0
    suggestions: tuple[str, ...] = ()
    offtopic: str | None = None


class FaqMatcher(Protocol):
    def match(self, text: str, locale: Locale) -> FaqMatch: ...


class EmergencyAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    emergency: bool
    # Which signals fired, for tests and staff review; never shown to parents.
    signals: tuple[str, ...] = ()


class EmergencyDetector(Protocol):
    def assess(self, text: str) -> EmergencyAssessment: ...


class UnansweredLog(Protocol):
    """Messages the bot refused or was unsure about, for staff to learn from.

    No user id is kept: the text, when, the language and the best guess only.
    """

    async def record(
        self,
        *,
        at: datetime,
        locale: Locale,
        text: str,
        mode: MatchMode,
        best_topic: str | None,
        confidence: float,
    ) -> None: ...


class Store(Protocol):
    """What one step may read and write, all inside the step's own transaction."""

    @property
    def unanswered(self) -> UnansweredLog: ...
