"""The narrow interfaces through which the engine talks to the world.

Each is implemented for real outside flows/ (content/, storage/, bot/) and by
small in-memory fakes in the tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

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
    # Not clear enough for the full guidance, but worth one calm line about 119.
    possible: bool = False
    # The categories of emergency.yaml that fired (which guidance to show), for tests and
    # staff review; never shown to parents as such.
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

    async def recent(self, start: datetime, limit: int) -> list[UnansweredQuestion]:
        """The rows since ``start``, newest first, at most ``limit``."""
        ...

    async def get(self, question_id: int) -> UnansweredQuestion | None: ...


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


FaqViewHow = Literal["text", "button"]


class FaqViews(Protocol):
    """Counts of the answers shown, for the council report: topic and time, nothing else."""

    async def record(self, *, at: datetime, locale: Locale, topic: str, how: FaqViewHow) -> None:
        ...


class AuditLog(Protocol):
    """Append-only record of who did what, for accountability (never a message's text)."""

    async def write(
        self, *, at: datetime, actor: str, action: str, subject: str | None = None,
        detail: str | None = None,
    ) -> None: ...


# --- Requests to coordinators: consent, drafts, tickets, the outbox ---------------------

ConsentDecisionKind = Literal["granted", "declined", "withdrawn"]
# Who fills in the request: the guardian, or someone doing it for them (who must confirm
# that the guardian agreed).
WriterRole = Literal["guardian", "family", "professional"]


class ConsentDecision(BaseModel):
    """One consent decision as recorded: who, which text (version and hash), which choices, when.

    ``subject`` is the session key of the person who decided.
    """

    model_config = ConfigDict(frozen=True)

    subject: str
    at: datetime
    decision: ConsentDecisionKind
    locale: Locale
    text_version: str
    text_hash: str
    use_for_request: bool
    share_with_departments: bool
    age_information: bool
    writer: WriterRole
    guardian_confirmed: bool


class RecordedConsent(ConsentDecision):
    id: int


class ConsentLog(Protocol):
    """Append-only: a withdrawal is a new decision, never an edit of an old one."""

    async def append(self, decision: ConsentDecision) -> int: ...

    async def history(self, subject: str) -> list[RecordedConsent]:
        """Every decision of ``subject``, oldest first."""
        ...


class Draft(BaseModel):
    """An unfinished request: the answers so far, kept until sent, cancelled or expired."""

    subject: str
    channel: str
    chat_id: int
    locale: Locale
    consent_id: int
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    reminded_at: datetime | None = None


class DraftStore(Protocol):
    async def load(self, subject: str) -> Draft | None: ...

    async def save(self, draft: Draft) -> None: ...

    async def delete(self, subject: str) -> bool: ...


Priority = Literal["high", "normal"]
# Known ticket statuses; the coordinators' desk moves tickets between them.
TICKET_NEW = "new"
TICKET_CLOSED = "closed"
TICKET_WITHDRAWN = "withdrawn"


class NewTicket(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    reference: str
    created_at: datetime
    office: str
    priority: Priority
    # The personal part, kept apart so it can be deleted while the anonymous row stays.
    subject: str
    channel: str
    chat_id: int
    locale: Locale
    consent_id: int
    share_with_departments: bool
    answers: dict[str, Any]


class TicketRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    created_at: datetime
    status: str
    office: str
    priority: Priority
    # The coordinator holding the ticket (their Telegram user id), once someone took it.
    assignee: int | None = None
    share_with_departments: bool = False
    answers: dict[str, Any] = {}


class TicketStore(Protocol):
    async def next_number(self) -> int:
        """The next reference number; never the same twice, even after deletions."""
        ...

    async def create(self, ticket: NewTicket) -> int: ...

    async def for_subject(self, subject: str) -> list[TicketRecord]:
        """The tickets whose personal details are still stored for ``subject``, oldest first."""
        ...

    async def withdraw(self, ticket_id: int, at: datetime) -> None:
        """Delete the personal details; mark the ticket withdrawn unless already closed."""
        ...


OutboxKind = Literal[
    "ticket_new",
    "ticket_withdrawn",
    # The coordinators' desk (flows/desk/deliveries.py says where each goes and what it says).
    "group_refresh",
    "ticket_details",
    "ticket_reminder",
    "ticket_escalation",
    "desk_notice",
    "message_from_family",
    "message_to_family",
    "family_notice",
]


class OutboxMessage(BaseModel):
    """A notification for the coordinators, sent later by the outbox worker.

    The payload carries references and routing only, never a family's details: those stay
    in the database and are read there by the coordinators.
    """

    model_config = ConfigDict(frozen=True)

    kind: OutboxKind
    ticket_id: int | None = None
    office: str | None = None
    # A coordinator's Telegram user id; None means the office's coordinators.
    recipient: int | None = None
    payload: dict[str, str | int | bool | None] = {}


class Outbox(Protocol):
    async def enqueue(self, message: OutboxMessage, at: datetime) -> int: ...


class RosterMember(BaseModel):
    """A coordinator or ward staff member, by Telegram user id."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    display_name: str = ""
    office: str | None = None
    coordinator: bool = False
    staff: bool = False
    supervisor: bool = False
    # Has opened a private chat with the bot, so details can be sent there.
    private_chat: bool = False


class Roster(Protocol):
    async def get(self, user_id: int) -> RosterMember | None:
        """The active member with this id; None for anyone else (a parent, a stranger)."""
        ...

    async def members(self) -> list[RosterMember]: ...

    async def note_private_chat(self, user_id: int, at: datetime) -> None:
        """Remember that this member has written to the bot in a private chat."""
        ...

    async def put(self, member: RosterMember, at: datetime) -> None:
        """Add or change a member (staff editing the roster)."""
        ...

    async def deactivate(self, user_id: int, at: datetime) -> bool:
        """Take a member off the roster; False if there was no such active member."""
        ...


class Store(Protocol):
    """What one step may read and write, all inside the step's own transaction."""

    @property
    def roster(self) -> Roster: ...

    @property
    def unanswered(self) -> UnansweredLog: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def faq_views(self) -> FaqViews: ...

    @property
    def content_changes(self) -> ContentChangeLog: ...

    @property
    def consents(self) -> ConsentLog: ...

    @property
    def drafts(self) -> DraftStore: ...

    @property
    def tickets(self) -> TicketStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def desk(self) -> DeskStore: ...


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


class RecordedChange(FaqChange):
    id: int
    at: datetime
    actor: int
    # The change this one undid, for an undo.
    reverted_of: int | None = None


class ContentChangeLog(Protocol):
    """Every staff change, append-only; an undo is a new change naming the one it reverts."""

    async def record(
        self, change: FaqChange, *, at: datetime, actor: int, reverted_of: int | None = None
    ) -> int: ...

    async def history(self, entry_id: str, limit: int) -> list[RecordedChange]:
        """The entry's changes, newest first."""
        ...

    async def last_undoable(self, entry_id: str) -> RecordedChange | None:
        """The newest change of the entry that is not an undo and has not been undone."""
        ...


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


class ContentEditor(Protocol):
    """Writes a change into the content files and switches the bot over to them."""

    async def apply(self, change: FaqChange) -> EditResult: ...

    async def reload(self) -> EditResult:
        """Read the files again now (after an edit outside the chat): applied or refused."""
        ...


# --- The coordinators' desk: holding tickets, talking with families -----------------------

TICKET_ASSIGNED = "assigned"
OPEN_STATUSES: tuple[str, ...] = (TICKET_NEW, TICKET_ASSIGNED)
# How a ticket ended, as a code the ward can count (the words go in a note).
TicketOutcome = Literal["resolved", "referred", "unreachable", "other"]
TICKET_OUTCOMES: tuple[TicketOutcome, ...] = ("resolved", "referred", "unreachable", "other")


class DeskSettings(BaseModel):
    """How the desk runs: where the coordinators are, their language, the reminder rules."""

    model_config = ConfigDict(frozen=True)

    # The coordinators' Telegram group; None: no group (notices wait in the outbox).
    coordinators_chat: int | None = None
    # What the coordinators read (the group, details, their commands).
    locale: Locale = "ja"
    # Business hours a new ticket may wait unclaimed before a reminder in the group; the
    # supervisors hear of it after as long again.
    remind_after_hours: float = 4.0
    # How long after closing a family can reopen their request themselves.
    reopen_days: int = 14


class TicketDetails(BaseModel):
    """The personal part of a ticket (None on a ticket once it is deleted)."""

    model_config = ConfigDict(frozen=True)

    subject: str
    channel: str
    chat_id: int
    locale: Locale
    share_with_departments: bool = False
    answers: dict[str, Any] = {}


class DeskTicket(BaseModel):
    """A ticket as the desk sees it: the anonymous row, and the details while they exist."""

    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    created_at: datetime
    status: str
    office: str
    priority: Priority
    assignee: int | None = None
    claimed_at: datetime | None = None
    # Since when it waits for a coordinator: creation, a release or a reopening.
    waiting_since: datetime
    group_message_id: int | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    details: TicketDetails | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


EntryKind = Literal["family", "coordinator", "note"]


class TicketEntry(BaseModel):
    """Something said on a ticket: by the family, by a coordinator to them, or a note."""

    model_config = ConfigDict(frozen=True)

    id: int
    ticket_id: int
    at: datetime
    kind: EntryKind
    # The coordinator who wrote it; None for the family.
    author: int | None = None
    text: str


class PendingMessage(OutboxMessage):
    """An outbox row waiting for the worker."""

    id: int
    created_at: datetime
    attempts: int = 0
    # Set on notices combined into one digest: they go out together, also after a failure.
    batch: str | None = None


class DeskStore(Protocol):
    """Tickets as the coordinators work on them. Changes are compare-and-set: each says
    what it expects to find, so two coordinators acting at once cannot both win."""

    async def get(self, ticket_id: int) -> DeskTicket | None: ...

    async def by_reference(self, reference: str) -> DeskTicket | None: ...

    async def open_tickets(self) -> list[DeskTicket]:
        """Every ticket not closed or withdrawn."""
        ...

    async def on_group_message(self, message_id: int) -> list[DeskTicket]:
        """The tickets shown by one message in the coordinators' group, oldest first."""
        ...

    async def latest_for_subject(self, subject: str) -> DeskTicket | None:
        """The family's open ticket (the newest, if several), else their newest one; only
        tickets whose details are still stored."""
        ...

    async def claim(self, ticket_id: int, user_id: int, at: datetime) -> bool:
        """Take an open ticket nobody holds; False if someone was quicker."""
        ...

    async def reassign(
        self, ticket_id: int, *, expected: int | None, to: int | None, at: datetime
    ) -> bool:
        """Hand a held ticket from ``expected`` to ``to`` (None: release it to the queue)."""
        ...

    async def close(self, ticket_id: int, outcome: TicketOutcome, at: datetime) -> bool: ...

    async def reopen(self, ticket_id: int, at: datetime) -> bool:
        """Open a closed ticket again (only while its details exist)."""
        ...

    async def add_entry(
        self, ticket_id: int, kind: EntryKind, text: str, at: datetime, author: int | None = None
    ) -> int: ...

    async def entries(self, ticket_id: int, limit: int) -> list[TicketEntry]:
        """The newest ``limit`` entries, oldest first."""
        ...

    async def entry(self, entry_id: int) -> TicketEntry | None: ...

    async def set_group_message(self, ticket_ids: list[int], message_id: int) -> None: ...

    async def mark_reminded(self, ticket_id: int, at: datetime) -> None: ...

    async def mark_escalated(self, ticket_id: int, at: datetime) -> None: ...

    async def notice_pending(self, ticket_id: int) -> bool:
        """Whether the ticket's announcement in the group is still waiting in the outbox."""
        ...
