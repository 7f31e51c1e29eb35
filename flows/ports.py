"""The narrow interfaces through which the engine talks to the world.

Each is implemented for real outside flows/ (content/, storage/, bot/) and by
small in-memory fakes in the tests. The values they pass are in flows/records.py, and
those content produces in content/records.py (with the FAQ matcher's and the emergency
detector's seams, which content's own reload code uses too).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from content.base import Locale, Translator
from content.records import (
    EditResult,
    FaqChange,
    MatchMode,
    UnansweredQuestion,
)
from flows.address import Address
from flows.records import (
    ConsentDecision,
    DeskTicket,
    Draft,
    EntryKind,
    FaqViewHow,
    NeedChange,
    NeedStatus,
    NewShare,
    NewTicket,
    OutboxMessage,
    RecordedChange,
    RecordedConsent,
    RosterMember,
    SentMilestone,
    ShareRecord,
    TicketEntry,
    TicketNeed,
    TicketOutcome,
    TicketRecord,
    UpcomingMilestone,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class Translations(Protocol):
    def for_locale(self, locale: Locale) -> Translator: ...


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


class FaqViews(Protocol):
    """Counts of the answers shown, for the council report: topic and time, nothing else."""

    async def record(self, *, at: datetime, locale: Locale, topic: str, how: FaqViewHow) -> None:
        ...


class Arrivals(Protocol):
    """How many families each flyer's source brought, per day: counts only, no one in them."""

    async def count(self, source: str, day: date) -> None:
        """One more family came through ``source`` on ``day`` (Tokyo)."""
        ...


class AuditLog(Protocol):
    """Append-only record of who did what, for accountability (never a message's text)."""

    async def write(
        self, *, at: datetime, actor: str, action: str, subject: str | None = None,
        detail: str | None = None,
    ) -> None: ...


# --- Requests to coordinators: consent, drafts, tickets, the outbox ---------------------


class ConsentLog(Protocol):
    """Append-only: a withdrawal is a new decision, never an edit of an old one."""

    async def append(self, decision: ConsentDecision) -> int: ...

    async def history(self, subject: str) -> list[RecordedConsent]:
        """Every decision of ``subject``, oldest first."""
        ...


class DraftStore(Protocol):
    async def load(self, subject: str) -> Draft | None: ...

    async def save(self, draft: Draft) -> None: ...

    async def delete(self, subject: str) -> bool: ...


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


class Outbox(Protocol):
    async def enqueue(self, message: OutboxMessage, at: datetime) -> int: ...


class Roster(Protocol):
    async def get(self, user_id: Address) -> RosterMember | None:
        """The active member with this id; None for anyone else (a parent, a stranger)."""
        ...

    async def members(self) -> list[RosterMember]: ...

    async def note_private_chat(self, user_id: Address, at: datetime) -> None:
        """Remember that this member has written to the bot in a private chat."""
        ...

    async def put(self, member: RosterMember, at: datetime) -> None:
        """Add or change a member (staff editing the roster)."""
        ...

    async def deactivate(self, user_id: Address, at: datetime) -> bool:
        """Take a member off the roster; False if there was no such active member."""
        ...


# --- Staff edits of the FAQ --------------------------------------------------------------


class ContentChangeLog(Protocol):
    """Every staff change, append-only; an undo is a new change naming the one it reverts."""

    async def record(
        self, change: FaqChange, *, at: datetime, actor: Address, reverted_of: int | None = None
    ) -> int: ...

    async def history(self, entry_id: str, limit: int) -> list[RecordedChange]:
        """The entry's changes, newest first."""
        ...

    async def last_undoable(self, entry_id: str) -> RecordedChange | None:
        """The newest change of the entry that is not an undo and has not been undone."""
        ...


class ContentEditor(Protocol):
    """Writes a change into the content files and switches the bot over to them."""

    async def apply(self, change: FaqChange) -> EditResult: ...

    async def reload(self) -> EditResult:
        """Read the files again now (after an edit outside the chat): applied or refused."""
        ...


# --- The coordinators' desk: holding tickets, talking with families -----------------------

# The desk's store, split by job so that a function needing one job asks for that one;
# ``Store.desk`` (one repository over the transaction) does them all.


class TicketLookup(Protocol):
    """Finding tickets: by id or reference, the open queue, a family's latest."""

    async def get(self, ticket_id: int) -> DeskTicket | None: ...

    async def by_reference(self, reference: str) -> DeskTicket | None: ...

    async def open_tickets(self) -> list[DeskTicket]:
        """Every ticket not closed or withdrawn."""
        ...

    async def latest_for_subject(self, subject: str) -> DeskTicket | None:
        """The family's open ticket (the newest, if several), else their newest one; only
        tickets whose details are still stored."""
        ...


class TicketTransitions(Protocol):
    """Taking, handing on, closing and reopening tickets. Changes are compare-and-set: each
    says what it expects to find, so two coordinators acting at once cannot both win."""

    async def claim(self, ticket_id: int, user_id: Address, at: datetime) -> bool:
        """Take an open ticket nobody holds; False if someone was quicker."""
        ...

    async def reassign(
        self, ticket_id: int, *, expected: Address | None, to: Address | None, at: datetime
    ) -> bool:
        """Hand a held ticket from ``expected`` to ``to`` (None: release it to the queue)."""
        ...

    async def close(self, ticket_id: int, outcome: TicketOutcome, at: datetime) -> bool: ...

    async def reopen(self, ticket_id: int, at: datetime) -> bool:
        """Open a closed ticket again (only while its details exist)."""
        ...


class TicketEntries(Protocol):
    """What is said on a ticket: the family's messages, the coordinators' replies, notes."""

    async def add_entry(
        self, ticket_id: int, kind: EntryKind, text: str, at: datetime,
        author: Address | None = None,
    ) -> int: ...

    async def entries(self, ticket_id: int, limit: int) -> list[TicketEntry]:
        """The newest ``limit`` entries, oldest first."""
        ...

    async def entry(self, entry_id: int) -> TicketEntry | None: ...


class GroupCard(Protocol):
    """Which message in the coordinators' group shows which tickets."""

    async def on_group_message(self, message_id: int) -> list[DeskTicket]:
        """The tickets shown by one message in the coordinators' group, oldest first."""
        ...

    async def set_group_message(self, ticket_ids: list[int], message_id: int) -> None: ...

    async def notice_pending(self, ticket_id: int) -> bool:
        """Whether the ticket's announcement in the group is still waiting in the outbox."""
        ...


class TicketReminders(Protocol):
    """When an unclaimed ticket was last brought up: reminded in the group, escalated."""

    async def mark_reminded(self, ticket_id: int, at: datetime) -> None: ...

    async def mark_escalated(self, ticket_id: int, at: datetime) -> None: ...


class DeskStore(
    TicketLookup, TicketTransitions, TicketEntries, GroupCard, TicketReminders, Protocol
):
    """Tickets as the coordinators work on them: every job of the desk's store at once."""


# --- Information for the child's age -------------------------------------------------------


class MilestoneLog(Protocol):
    """Which milestones each family was sent: each once (the table refuses a second)."""

    async def subjects_with_age_information(self) -> list[str]:
        """Everyone who ever agreed to information for the child's age (whether that is still
        in force is for the consent log's history to say)."""
        ...

    async def sent(self, subject: str) -> list[SentMilestone]:
        """The milestones sent to ``subject``, oldest first."""
        ...

    async def record(self, subject: str, milestone_id: str, at: datetime) -> bool:
        """Note a milestone as sent; False if it already was."""
        ...

    async def forget(self, subject: str) -> int:
        """Delete what was sent to ``subject`` (their consent is withdrawn); how many rows."""
# --- Needs and problems found on a request ------------------------------------------------


class TicketNeeds(Protocol):
    """The needs and problems coordinators record on tickets, with each status change."""

    async def record_need(
        self, ticket_id: int, code: str, note: str | None, at: datetime, by: Address
    ) -> TicketNeed | None:
        """Record a new need as open; None when the ticket has that code already. The note
        is kept only while the ticket's details exist."""
        ...

    async def set_need_note(self, need_id: int, note: str) -> bool:
        """Replace a need's note; False when the ticket's details are gone."""
        ...

    async def set_need_status(
        self, need_id: int, status: NeedStatus, at: datetime, by: Address
    ) -> bool:
        """Change the status and remember who did it when; False if it already was that."""
        ...

    async def need(self, need_id: int) -> TicketNeed | None: ...

    async def needs_of(self, ticket_id: int) -> list[TicketNeed]:
        """The ticket's needs, in the order they were recorded."""
        ...

    async def need_changes(self, ticket_id: int) -> list[NeedChange]:
        """Every status the ticket's needs were given, oldest first."""
# --- Sharing with related departments, the whole picture ------------------------------


class ShareLog(Protocol):
    """Every share of a request's summary with a department, append-only."""

    async def record(self, share: NewShare) -> int: ...

    async def for_ticket(self, ticket_id: int) -> list[ShareRecord]:
        """The ticket's shares, oldest first."""
        ...

    async def for_subject(self, subject: str) -> list[ShareRecord]:
        """The shares of the tickets whose details are still stored for ``subject``."""
        ...


class FamilyDirectory(Protocol):
    """The families the desk knows: every ticket whose details are still stored."""

    async def known(self) -> list[DeskTicket]:
        """Tickets with their details, oldest first."""
        ...

    async def last_contacts(self) -> dict[int, datetime]:
        """By ticket id: when something was last said on it (by the family or to them)."""
        ...


class NextMilestone(Protocol):
    """What a family should next hear about at their child's stage of growth."""

    def next_for(
        self, ticket: DeskTicket, now: datetime, locale: Locale
    ) -> UpcomingMilestone | None:
        """The next milestone for the child of ``ticket`` after ``now``, titled in
        ``locale``; None when there is none to tell (no birth month, nothing due, or the
        schedule does not apply)."""
        ...


# --- What each feature reaches -----------------------------------------------------------

# One Protocol a feature, named for its role and listing only the repositories it uses; the
# feature's functions take ``Turn[ThatStore]`` (flows/turn.py) or the store itself. ``Store``
# is all of them at once: the SQLite transaction and the memory fake implement it, and so
# every one of these.


class Audited(Protocol):
    """Whatever refuses someone writes the refusal down (``Turn.record_denied``)."""

    @property
    def audit(self) -> AuditLog: ...


class CountsViews(Protocol):
    """Whatever shows an FAQ answer counts it for the council report."""

    @property
    def faq_views(self) -> FaqViews: ...


class FaqStore(CountsViews, Protocol):
    """Answering from the FAQ: which answers were shown, which questions it could not answer."""

    @property
    def unanswered(self) -> UnansweredLog: ...


class ConsentStore(Protocol):
    """The consent screen: the decisions, and the draft a refusal deletes."""

    @property
    def consents(self) -> ConsentLog: ...

    @property
    def drafts(self) -> DraftStore: ...


class IntakeStore(ConsentStore, Audited, CountsViews, Protocol):
    """The request form and its submission: the draft, the consent it rests on, the ticket and
    the coordinators' notice of it (and the FAQ answers shown beside a question); a partner's
    referral is looked up on the roster and audited."""

    @property
    def roster(self) -> Roster: ...

    @property
    def tickets(self) -> TicketStore: ...

    @property
    def outbox(self) -> Outbox: ...


class MyDataStore(ConsentStore, Protocol):
    """/mydata and /withdraw: everything kept about a person, and telling the coordinator
    holding their ticket."""

    @property
    def tickets(self) -> TicketStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def milestones(self) -> MilestoneLog: ...

    @property
    def shares(self) -> ShareLog: ...


class RosterStore(Audited, Protocol):
    """Who is a coordinator, supervisor or staff member, and the audit of changes to it."""

    @property
    def roster(self) -> Roster: ...


class StaffStore(RosterStore, Protocol):
    """Staff keeping the FAQ: their changes, and the questions it could not answer."""

    @property
    def content_changes(self) -> ContentChangeLog: ...

    @property
    def unanswered(self) -> UnansweredLog: ...


class CoordinatorStore(RosterStore, Protocol):
    """The coordinators' desk: its tickets and the needs found on them, the roster, the
    outbox to the group and the families, sharing with partners and the families known."""

    @property
    def desk(self) -> DeskStore: ...

    @property
    def needs(self) -> TicketNeeds: ...

    @property
    def outbox(self) -> Outbox: ...

    # Sharing a request with a related department rests on the family's consent decisions.
    @property
    def consents(self) -> ConsentLog: ...

    @property
    def shares(self) -> ShareLog: ...

    @property
    def families(self) -> FamilyDirectory: ...


class RelayStore(CoordinatorStore, FaqStore, Protocol):
    """A family's messages while their request is open: passed to the desk, or answered from
    the FAQ when the family says it was a question for it."""


class DeliveryStore(CoordinatorStore, Protocol):
    """Writing what the outbox holds when it is sent: the desk's messages, and a milestone
    only while the family still agrees to it."""

    @property
    def consents(self) -> ConsentLog: ...


class MilestoneStore(Protocol):
    """Queueing the milestones due: who agreed, what each family was sent, their request
    (where the birth month is) and the outbox."""

    @property
    def milestones(self) -> MilestoneLog: ...

    @property
    def consents(self) -> ConsentLog: ...

    @property
    def desk(self) -> DeskStore: ...

    @property
    def outbox(self) -> Outbox: ...


class ArrivalStore(RosterStore, Protocol):
    """Counting which flyer brought a family (roster members trying a flyer are left out)."""

    @property
    def arrivals(self) -> Arrivals: ...


class Store(IntakeStore, MyDataStore, RelayStore, StaffStore, DeliveryStore, MilestoneStore,
            ArrivalStore, Protocol):
    """What one step may read and write, all inside the step's own transaction: every
    feature's store at once."""
