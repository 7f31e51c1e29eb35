"""The records that cross the engine's ports, and the codes they carry.

Plain pydantic values (and the ticket statuses, outcomes and kinds they hold): what a
repository returns or takes, how the desk is configured. The Protocols that pass them
live in flows/ports.py; anything may use these without depending on a port. What content's
code produces (a FAQ match, an emergency assessment, a staff edit) is in content/records.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from content.base import Locale
from content.records import FaqChange
from flows.address import ValidAddress

FaqViewHow = Literal["text", "button"]


# --- Requests to coordinators: consent, drafts, tickets, the outbox ---------------------

ConsentDecisionKind = Literal["granted", "declined", "withdrawn"]
# A purpose that can be withdrawn on its own, leaving the rest of the consent in force (a
# family stopping the information for the child's age keeps their request).
ConsentPurpose = Literal["age_information"]
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
    # On a withdrawal: the one purpose withdrawn (the flags then say what stays in force);
    # None withdraws the whole consent.
    purpose: ConsentPurpose | None = None


class RecordedConsent(ConsentDecision):
    id: int


class Draft(BaseModel):
    """An unfinished request: the answers so far, kept until sent, cancelled or expired."""

    subject: str
    channel: str
    chat_id: ValidAddress
    locale: Locale
    consent_id: int
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    reminded_at: datetime | None = None


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
    chat_id: ValidAddress
    locale: Locale
    consent_id: int
    share_with_departments: bool
    answers: dict[str, Any]
    # The department of the partner who passed the family on (None: nobody did).
    referred_by: str | None = None


class TicketHead(BaseModel):
    """What every view of a ticket starts from: the anonymous row's reference, state, office,
    priority and holder."""

    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    created_at: datetime
    status: str
    office: str
    priority: Priority
    # The coordinator holding the ticket (their address), once someone took it.
    assignee: ValidAddress | None = None


class TicketRecord(TicketHead):
    """A ticket as its family's /mydata and /withdraw see it, with their answers."""

    share_with_departments: bool = False
    answers: dict[str, Any] = {}


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
    # Information for the child's age, to the family (flows/milestones/).
    "milestone",
    # A request's summary for the partners of a department (flows/desk/sharing.py).
    "ticket_shared",
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
    # A coordinator's address; None means the office's coordinators.
    recipient: ValidAddress | None = None
    payload: dict[str, str | int | bool | None] = {}


class RosterMember(BaseModel):
    """A coordinator, ward staff member or partner, by their address."""

    model_config = ConfigDict(frozen=True)

    user_id: ValidAddress
    display_name: str = ""
    office: str | None = None
    coordinator: bool = False
    staff: bool = False
    supervisor: bool = False
    # Works in a related department (public-health nurse, disability welfare...): may
    # receive what coordinators share and pass families on, never use the desk itself.
    partner: bool = False
    # The partner's department, an id from intake.yaml's departments.
    department: str | None = None
    # Has opened a private chat with the bot, so details can be sent there.
    private_chat: bool = False


# --- Staff edits of the FAQ (the change itself is content's: content/records.py) -------


class RecordedChange(FaqChange):
    id: int
    at: datetime
    actor: ValidAddress
    # The change this one undid, for an undo.
    reverted_of: int | None = None


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
    coordinators_chat: ValidAddress | None = None
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
    chat_id: ValidAddress
    locale: Locale
    share_with_departments: bool = False
    answers: dict[str, Any] = {}


class DeskTicket(TicketHead):
    """A ticket as the desk sees it: the anonymous row, and the details while they exist."""

    claimed_at: datetime | None = None
    # Since when it waits for a coordinator: creation, a release or a reopening.
    waiting_since: datetime
    group_message_id: int | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    # The department of the partner who passed the family on, if one did.
    referred_by: str | None = None
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
    author: ValidAddress | None = None
    text: str


class PendingMessage(OutboxMessage):
    """An outbox row waiting for the worker."""

    id: int
    created_at: datetime
    attempts: int = 0
    # Set on notices combined into one digest: they go out together, also after a failure.
    batch: str | None = None


# --- Information for the child's age ------------------------------------------------------


class SentMilestone(BaseModel):
    """A milestone handed to the outbox for a family, once."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    at: datetime
# --- Needs and problems found on a request, for the support council -----------------------

NeedStatus = Literal["open", "in_progress", "resolved", "beyond_ward"]
# In the order a need usually goes through; beyond_ward: the ward alone cannot solve it,
# so it goes to the support council.
NEED_STATUSES: tuple[NeedStatus, ...] = ("open", "in_progress", "resolved", "beyond_ward")


class TicketNeed(BaseModel):
    """A need or problem recorded on a ticket: a code from needs.yaml and how far it is."""

    model_config = ConfigDict(frozen=True)

    id: int
    ticket_id: int
    code: str
    status: NeedStatus
    recorded_at: datetime
    recorded_by: ValidAddress
    updated_at: datetime
    # For coordinators only; None once the ticket's details are deleted.
    note: str | None = None


class NeedChange(BaseModel):
    """One status a need was given: when, by which coordinator."""

    model_config = ConfigDict(frozen=True)

    need_id: int
    at: datetime
    status: NeedStatus
    actor: ValidAddress
# --- Sharing with related departments, the whole picture ------------------------------


class NewShare(BaseModel):
    """A request's summary shared with a department's partners, as recorded."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    ticket_id: int
    department: str
    # The coordinator who shared it.
    actor: ValidAddress
    # The consent decision that allowed it.
    consent_id: int
    recipients: int


class ShareRecord(NewShare):
    id: int
    reference: str


class UpcomingMilestone(BaseModel):
    """The next thing a family should know about, from the schedule of stages of growth."""

    model_config = ConfigDict(frozen=True)

    day: date
    title: str
