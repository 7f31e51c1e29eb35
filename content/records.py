"""What content's code produces for the other layers, and the two seams that produce it.

A FAQ match and an emergency assessment (content/matching/), an unanswered question as
staff see it in /gaps (content/gaps.py groups them), a staff edit of an FAQ entry and how it
went (content/editor.py). flows/ and storage/ pass these on; content never needs them back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from content.base import Locale

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


class EmergencyAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    emergency: bool
    # Not clear enough for the full guidance, but worth one calm line about 119.
    possible: bool = False
    # The categories of emergency.yaml that fired (which guidance to show), for tests and
    # staff review; never shown to parents as such.
    signals: tuple[str, ...] = ()


class UnansweredQuestion(BaseModel):
    """One logged message, as staff see it in /gaps (no user id: the table has none)."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    locale: Locale
    text: str
    mode: MatchMode
    best_topic: str | None = None
    confidence: float = 0.0


class FaqMatcher(Protocol):
    def match(self, text: str, locale: Locale) -> FaqMatch: ...


@runtime_checkable
class Settling(Protocol):
    """A matcher with readers that get ready in the background after it is built."""

    def settle(self, timeout: float | None = None) -> bool: ...


class EmergencyDetector(Protocol):
    def assess(self, text: str) -> EmergencyAssessment: ...


# --- Staff edits of the FAQ --------------------------------------------------------------

# Which part of an entry a change touches; old and new values carry that part's fields.
ChangeField = Literal["answer", "alternates", "reviewed"]


class FaqChange(BaseModel):
    """One edit of one FAQ entry in one language.

    ``old`` and ``new`` map entry fields to JSON values (``{"answer": "..."}``). ``old`` is
    what the staff member saw: the change applies only while the file still says that, so
    an edit made meanwhile in Excel or a text editor is never overwritten unseen.
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    locale: Locale
    field: ChangeField
    old: dict[str, Any]
    new: dict[str, Any]


EditStatus = Literal["applied", "unchanged", "conflict", "missing", "refused"]


class EditProblem(BaseModel):
    """A content check problem, kept as message id and parameters for the staff's language."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    msgid: str
    params: dict[str, str] = {}


class EditResult(BaseModel):
    """applied: written, checked and in force. unchanged: the files already said that.
    conflict: the entry changed since it was shown. missing: no such entry.
    refused: the content check failed; the files were put back (see ``problems``)."""

    model_config = ConfigDict(frozen=True)

    status: EditStatus
    problems: tuple[EditProblem, ...] = ()
    # Warnings of the whole content after an applied change, for the staff's information.
    warnings: int = 0
