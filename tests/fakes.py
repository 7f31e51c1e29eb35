"""In-memory fakes that implement the engine's ports, for fast transcript tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from content.base import Locale
from content.loader import Content
from content.models import (
    Category,
    FaqEntry,
    LocalizedText,
    Office,
    OfficesFile,
    OffTopic,
    OffTopicFile,
    SynonymsFile,
)
from content.records import (
    EmergencyAssessment,
    EmergencyDetector,
    FaqChange,
    FaqMatch,
    FaqMatcher,
    MatchMode,
    UnansweredQuestion,
)
from flows.address import Address, address
from flows.engine import Engine
from flows.model import Inbound, InboundKind, Outcome, Session
from flows.ports import (
    Arrivals,
    AuditLog,
    Clock,
    ConsentLog,
    ContentChangeLog,
    DraftStore,
    FamilyDirectory,
    FaqViews,
    GroupCard,
    MilestoneLog,
    Outbox,
    Roster,
    ShareLog,
    Store,
    TicketEntries,
    TicketLookup,
    TicketNeeds,
    TicketReminders,
    TicketStore,
    TicketTransitions,
    UnansweredLog,
)
from flows.records import (
    TICKET_CLOSED,
    TICKET_NEW,
    TICKET_WITHDRAWN,
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
)
from flows.turn import ContentSource, Deps


def lt(ja: str, en: str) -> LocalizedText:
    return LocalizedText(ja=ja, en=en)


def small_content() -> Content:
    def entries(locale: Locale) -> tuple[FaqEntry, ...]:
        ja = locale == "ja"
        return (
            FaqEntry(
                id="houmon_kango",
                category="services",
                question="訪問看護を利用したいです" if ja else "How do I start visiting nursing?",
                answer=(
                    "訪問看護は看護師がご自宅に来るサービスです。<主治医>に相談してください。"
                    if ja
                    else "A nurse visits your home. Ask your <doctor> first."
                ),
                see_also=["tanki_nyusho"],
            ),
            FaqEntry(
                id="tanki_nyusho",
                category="services",
                question="短期入所を利用したいです" if ja else "How do I use short stay?",
                answer="短期入所の説明【要確認】" if ja else "About short stay.【要確認】",
                reviewed=False,
                staff_note="Chiyoda's contract facilities",
            ),
        )

    return Content(
        faq={"ja": entries("ja"), "en": entries("en")},
        categories=(Category(id="services", label=lt("サービス", "Services")),),
        offices=OfficesFile(
            shared_roles=[lt("退院前後の支援", "Support before and after discharge")],
            offices=[
                Office(
                    id="kodomo_hattatsu",
                    name=lt("子ども発達センター", "Child Development Center"),
                    roles_own=[lt("サービス等利用計画の作成", "Writing service use plans")],
                    ask_about=[lt("サービス等利用計画", "service use plans")],
                    phone="【要確認】",
                    reviewed=False,
                ),
                Office(
                    id="tokyo_center",
                    name=lt("東京都医療的ケア児支援センター", "Tokyo support center"),
                    phone="03-3941-3221",
                    hours=lt("平日", "Weekdays"),
                    coordinators=False,
                ),
            ],
        ),
        synonyms=SynonymsFile(groups=[]),
        offtopic=OffTopicFile(
            topics=[
                OffTopic(
                    id="jido_teate",
                    patterns=["児童手当"],
                    pointer=lt(
                        "児童手当は区役所へ <03-3264-2111>", "Child allowance: ask the ward"
                    ),
                ),
            ]
        ),
        fingerprint="test",
    )


def tg(ident: int) -> Address:
    """A Telegram person's or chat's address, as the Telegram driver makes it."""
    return address("telegram", ident)


class FakeMatcher(FaqMatcher):
    """Answers by keyword, so transcripts can steer the matcher precisely."""

    def __init__(self, rules: dict[str, FaqMatch] | None = None) -> None:
        self.rules = rules or {
            "訪問看護": FaqMatch(mode="answer", topic="houmon_kango", confidence=0.9),
            "nurse": FaqMatch(mode="answer", topic="houmon_kango", confidence=0.9),
            "ショート": FaqMatch(
                mode="suggest", confidence=0.4, suggestions=("tanki_nyusho", "houmon_kango")
            ),
            "児童手当": FaqMatch(mode="refuse", offtopic="jido_teate"),
        }
        self.calls: list[tuple[str, Locale]] = []

    def match(self, text: str, locale: Locale) -> FaqMatch:
        self.calls.append((text, locale))
        for word, result in self.rules.items():
            if word in text:
                return result
        return FaqMatch(mode="refuse", confidence=0.05)


class FakeEmergency(EmergencyDetector):
    WORDS = ("息をしていない", "not breathing", "けいれんが止まらない")

    def assess(self, text: str) -> EmergencyAssessment:
        hits = tuple(w for w in self.WORDS if w in text)
        return EmergencyAssessment(emergency=bool(hits), signals=hits)


@dataclass
class FakeContentSource(ContentSource):
    content: Content = field(default_factory=small_content)
    faq_matcher: FakeMatcher = field(default_factory=FakeMatcher)

    def current(self) -> Content:
        return self.content

    def matcher(self) -> FakeMatcher:
        return self.faq_matcher


@dataclass
class FixedClock(Clock):
    moment: datetime = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, a Tuesday

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


# --- in-memory stores: every member of the engine's Store ------------------------------------


@dataclass
class MemoryUnanswered(UnansweredLog):
    # Each row as the engine recorded it (keyword arguments of ``record``).
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def record(self, *, at: datetime, locale: Locale, text: str, mode: MatchMode,
                     best_topic: str | None, confidence: float) -> None:
        self.rows.append({"at": at, "locale": locale, "text": text, "mode": mode,
                          "best_topic": best_topic, "confidence": confidence})

    def _question(self, index: int) -> UnansweredQuestion:
        return UnansweredQuestion(id=index + 1, **self.rows[index])

    async def recent(self, start: datetime, limit: int) -> list[UnansweredQuestion]:
        newest_first = sorted(range(len(self.rows)),
                              key=lambda i: (self.rows[i]["at"], i), reverse=True)
        return [self._question(i) for i in newest_first if self.rows[i]["at"] >= start][:limit]

    async def get(self, question_id: int) -> UnansweredQuestion | None:
        if 1 <= question_id <= len(self.rows):
            return self._question(question_id - 1)
        return None


@dataclass
class MemoryFaqViews(FaqViews):
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def record(self, *, at: datetime, locale: Locale, topic: str, how: FaqViewHow) -> None:
        self.rows.append({"at": at, "locale": locale, "topic": topic, "how": how})


@dataclass
class MemoryArrivals(Arrivals):
    counts: Counter[tuple[date, str]] = field(default_factory=Counter)

    async def count(self, source: str, day: date) -> None:
        self.counts[(day, source)] += 1


@dataclass
class MemoryAudit(AuditLog):
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def write(self, *, at: datetime, actor: str, action: str, subject: str | None = None,
                    detail: str | None = None) -> None:
        self.rows.append({"at": at, "actor": actor, "action": action, "subject": subject,
                          "detail": detail})


@dataclass
class MemoryContentChanges(ContentChangeLog):
    rows: list[RecordedChange] = field(default_factory=list)

    async def record(self, change: FaqChange, *, at: datetime, actor: Address,
                     reverted_of: int | None = None) -> int:
        recorded = RecordedChange(id=len(self.rows) + 1, at=at, actor=actor,
                                  reverted_of=reverted_of, **change.model_dump())
        self.rows.append(recorded)
        return recorded.id

    async def history(self, entry_id: str, limit: int) -> list[RecordedChange]:
        return [c for c in reversed(self.rows) if c.entry_id == entry_id][:limit]

    async def last_undoable(self, entry_id: str) -> RecordedChange | None:
        undone = {c.reverted_of for c in self.rows}
        return next((c for c in reversed(self.rows) if c.entry_id == entry_id
                     and c.reverted_of is None and c.id not in undone), None)


@dataclass
class MemoryRoster(Roster):
    """Nobody is a coordinator or staff unless a test adds them."""

    members_by_id: dict[Address, RosterMember] = field(default_factory=dict)

    async def get(self, user_id: Address) -> RosterMember | None:
        return self.members_by_id.get(user_id)

    async def members(self) -> list[RosterMember]:
        return list(self.members_by_id.values())

    async def note_private_chat(self, user_id: Address, at: datetime) -> None:
        member = self.members_by_id.get(user_id)
        if member is not None:
            self.members_by_id[user_id] = member.model_copy(update={"private_chat": True})

    async def put(self, member: RosterMember, at: datetime) -> None:
        self.members_by_id[member.user_id] = member

    async def deactivate(self, user_id: Address, at: datetime) -> bool:
        return self.members_by_id.pop(user_id, None) is not None


@dataclass
class MemoryConsents(ConsentLog):
    rows: list[RecordedConsent] = field(default_factory=list)

    async def append(self, decision: ConsentDecision) -> int:
        record = RecordedConsent(id=len(self.rows) + 1, **decision.model_dump())
        self.rows.append(record)
        return record.id

    async def history(self, subject: str) -> list[RecordedConsent]:
        return [r for r in self.rows if r.subject == subject]


@dataclass
class MemoryDrafts(DraftStore):
    rows: dict[str, Draft] = field(default_factory=dict)

    async def load(self, subject: str) -> Draft | None:
        draft = self.rows.get(subject)
        return draft.model_copy(deep=True) if draft else None

    async def save(self, draft: Draft) -> None:
        self.rows[draft.subject] = draft.model_copy(deep=True)

    async def delete(self, subject: str) -> bool:
        return self.rows.pop(subject, None) is not None


@dataclass
class MemoryTickets(TicketStore):
    # The anonymous row of each ticket by id, as TicketRecord's fields.
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The personal part, while it is kept.
    details: dict[int, NewTicket] = field(default_factory=dict)
    last_number: int = 0

    async def next_number(self) -> int:
        self.last_number += 1
        return self.last_number

    async def create(self, ticket: NewTicket) -> int:
        ticket_id = len(self.tickets) + 1
        self.tickets[ticket_id] = {
            "reference": ticket.reference, "created_at": ticket.created_at,
            "status": TICKET_NEW, "office": ticket.office, "priority": ticket.priority,
            "assignee": None,
        }
        self.details[ticket_id] = ticket
        return ticket_id

    async def for_subject(self, subject: str) -> list[TicketRecord]:
        return [
            TicketRecord(id=i, share_with_departments=d.share_with_departments,
                         answers=d.answers, **self.tickets[i])
            for i, d in sorted(self.details.items()) if d.subject == subject
        ]

    async def withdraw(self, ticket_id: int, at: datetime) -> None:
        if self.tickets[ticket_id]["status"] not in (TICKET_CLOSED, TICKET_WITHDRAWN):
            self.tickets[ticket_id]["status"] = TICKET_WITHDRAWN
        self.details.pop(ticket_id, None)


@dataclass
class MemoryOutbox(Outbox):
    messages: list[OutboxMessage] = field(default_factory=list)

    async def enqueue(self, message: OutboxMessage, at: datetime) -> int:
        self.messages.append(message)
        return len(self.messages)


@dataclass
class MemoryMilestones(MilestoneLog):
    consents: MemoryConsents
    rows: list[tuple[str, SentMilestone]] = field(default_factory=list)

    async def subjects_with_age_information(self) -> list[str]:
        return sorted({r.subject for r in self.consents.rows if r.age_information})

    async def sent(self, subject: str) -> list[SentMilestone]:
        return [m for s, m in self.rows if s == subject]

    async def record(self, subject: str, milestone_id: str, at: datetime) -> bool:
        if any(s == subject and m.milestone_id == milestone_id for s, m in self.rows):
            return False
        self.rows.append((subject, SentMilestone(milestone_id=milestone_id, at=at)))
        return True

    async def forget(self, subject: str) -> int:
        before = len(self.rows)
        self.rows = [(s, m) for s, m in self.rows if s != subject]
        return before - len(self.rows)


class NoDesk(TicketLookup, TicketTransitions, TicketEntries, GroupCard, TicketReminders):
    """A desk without tickets: families have no open request to relay to, and there is
    nothing for a coordinator to take, close or write on (the desk's own tests run on
    SQLite, tests/desk_world.py)."""

    async def get(self, ticket_id: int) -> DeskTicket | None:
        return None

    async def by_reference(self, reference: str) -> DeskTicket | None:
        return None

    async def open_tickets(self) -> list[DeskTicket]:
        return []

    async def on_group_message(self, message_id: int) -> list[DeskTicket]:
        return []

    async def latest_for_subject(self, subject: str) -> DeskTicket | None:
        return None

    async def claim(self, ticket_id: int, user_id: Address, at: datetime) -> bool:
        return False

    async def reassign(
        self, ticket_id: int, *, expected: Address | None, to: Address | None, at: datetime
    ) -> bool:
        return False

    async def close(self, ticket_id: int, outcome: TicketOutcome, at: datetime) -> bool:
        return False

    async def reopen(self, ticket_id: int, at: datetime) -> bool:
        return False

    async def add_entry(
        self, ticket_id: int, kind: EntryKind, text: str, at: datetime,
        author: Address | None = None,
    ) -> int:
        raise LookupError(f"no ticket {ticket_id} on a desk without tickets")

    async def entries(self, ticket_id: int, limit: int) -> list[TicketEntry]:
        return []

    async def entry(self, entry_id: int) -> TicketEntry | None:
        return None

    async def set_group_message(self, ticket_ids: list[int], message_id: int) -> None:
        if ticket_ids:
            raise LookupError(f"no tickets {ticket_ids} on a desk without tickets")

    async def mark_reminded(self, ticket_id: int, at: datetime) -> None:
        return None

    async def mark_escalated(self, ticket_id: int, at: datetime) -> None:
        return None

    async def notice_pending(self, ticket_id: int) -> bool:
        return False


@dataclass
class MemoryNeeds(TicketNeeds):
    """Needs recorded on tickets, in memory (the desk's own tests use SQLite)."""

    rows: dict[int, TicketNeed] = field(default_factory=dict)
    changes: list[NeedChange] = field(default_factory=list)

    async def record_need(
        self, ticket_id: int, code: str, note: str | None, at: datetime, by: Address
    ) -> TicketNeed | None:
        if any(n.ticket_id == ticket_id and n.code == code for n in self.rows.values()):
            return None
        need = TicketNeed(id=len(self.rows) + 1, ticket_id=ticket_id, code=code, status="open",
                          recorded_at=at, recorded_by=by, updated_at=at, note=note or None)
        self.rows[need.id] = need
        self.changes.append(NeedChange(need_id=need.id, at=at, status="open", actor=by))
        return need

    async def set_need_note(self, need_id: int, note: str) -> bool:
        if need_id not in self.rows:
            return False
        self.rows[need_id] = self.rows[need_id].model_copy(update={"note": note})
        return True

    async def set_need_status(
        self, need_id: int, status: NeedStatus, at: datetime, by: Address
    ) -> bool:
        need = self.rows.get(need_id)
        if need is None or need.status == status:
            return False
        self.rows[need_id] = need.model_copy(update={"status": status, "updated_at": at})
        self.changes.append(NeedChange(need_id=need_id, at=at, status=status, actor=by))
        return True

    async def need(self, need_id: int) -> TicketNeed | None:
        return self.rows.get(need_id)

    async def needs_of(self, ticket_id: int) -> list[TicketNeed]:
        return [n for n in self.rows.values() if n.ticket_id == ticket_id]

    async def need_changes(self, ticket_id: int) -> list[NeedChange]:
        ids = {n.id for n in await self.needs_of(ticket_id)}
        return [c for c in self.changes if c.need_id in ids]


@dataclass
class MemoryShares(ShareLog):
    """Shares of the tickets in ``tickets`` (the memory store's), append-only."""

    tickets: MemoryTickets
    rows: list[ShareRecord] = field(default_factory=list)

    async def record(self, share: NewShare) -> int:
        reference = str(self.tickets.tickets[share.ticket_id]["reference"])
        self.rows.append(ShareRecord(id=len(self.rows) + 1, reference=reference,
                                     **share.model_dump()))
        return len(self.rows)

    async def for_ticket(self, ticket_id: int) -> list[ShareRecord]:
        return [r for r in self.rows if r.ticket_id == ticket_id]

    async def for_subject(self, subject: str) -> list[ShareRecord]:
        mine = {i for i, d in self.tickets.details.items() if d.subject == subject}
        return [r for r in self.rows if r.ticket_id in mine]


class NoFamilies(FamilyDirectory):
    """Like NoDesk: the whole picture is tested on SQLite (tests/test_families.py)."""

    async def known(self) -> list[DeskTicket]:
        return []

    async def last_contacts(self) -> dict[int, datetime]:
        return {}


@dataclass
class MemoryStore:
    """The engine's Store in memory: every repository a step may use."""

    roster: MemoryRoster = field(default_factory=MemoryRoster)
    unanswered: MemoryUnanswered = field(default_factory=MemoryUnanswered)
    audit: MemoryAudit = field(default_factory=MemoryAudit)
    faq_views: MemoryFaqViews = field(default_factory=MemoryFaqViews)
    content_changes: MemoryContentChanges = field(default_factory=MemoryContentChanges)
    consents: MemoryConsents = field(default_factory=MemoryConsents)
    drafts: MemoryDrafts = field(default_factory=MemoryDrafts)
    tickets: MemoryTickets = field(default_factory=MemoryTickets)
    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    desk: NoDesk = field(default_factory=NoDesk)
    needs: MemoryNeeds = field(default_factory=MemoryNeeds)
    arrivals: MemoryArrivals = field(default_factory=MemoryArrivals)
    families: NoFamilies = field(default_factory=NoFamilies)
    milestones: MemoryMilestones = field(init=False)
    shares: MemoryShares = field(init=False)

    def __post_init__(self) -> None:
        self.milestones = MemoryMilestones(self.consents)
        self.shares = MemoryShares(self.tickets)


# Store's members are read-only properties, which a dataclass subclass could not set, so the
# fake declares the Protocol by this assignment instead: mypy checks it member by member.
_MEMORY_STORE_IS_A_STORE: type[Store] = MemoryStore


def fake_source(deps: Deps) -> FakeContentSource:
    """The fake content source of ``deps``, to swap its content or read its matcher's calls."""
    assert isinstance(deps.content, FakeContentSource), deps.content
    return deps.content


def make_deps(source: FakeContentSource | None = None, clock: FixedClock | None = None) -> Deps:
    from content.i18n import CatalogTranslations

    return Deps(
        content=source or FakeContentSource(),
        emergency=FakeEmergency(),
        translations=CatalogTranslations(),
        clock=clock or FixedClock(),
    )


class Chat:
    """Drives the engine as one person in a private chat, keeping the session between steps."""

    def __init__(
        self, engine: Engine, store: MemoryStore | None = None, *, user_id: int = 42,
        language_code: str | None = "ja",
    ) -> None:
        self.engine = engine
        self.store = store or MemoryStore()
        self.user_id = user_id
        self.language_code = language_code
        self.session = Session(key=f"telegram:{user_id}:{user_id}")
        self.last: Outcome | None = None

    async def send(self, inbound: Inbound) -> Outcome:
        self.last = await self.engine.handle(inbound, self.session, self.store)
        self.session = self.last.session
        return self.last

    def _in(self, kind: InboundKind, **fields: Any) -> Inbound:
        return Inbound(
            channel="telegram",
            user_id=tg(self.user_id),
            chat_id=tg(self.user_id),
            language_code=self.language_code,
            kind=kind,
            **fields,
        )

    async def text(self, text: str) -> Outcome:
        return await self.send(self._in(kind="text", text=text))

    async def command(self, name: str, args: str = "") -> Outcome:
        return await self.send(self._in(kind="command", command=name, text=args))

    async def press(self, data: str) -> Outcome:
        return await self.send(self._in(kind="button", button=data))

    async def press_label(self, fragment: str) -> Outcome:
        """Press the first button of the last answer whose label contains ``fragment``."""
        assert self.last is not None, "nothing was shown yet"
        for reply in self.last.replies:
            for row in reply.buttons:
                for button in row:
                    if fragment in button.label:
                        return await self.press(button.data)
        labels = [b.label for r in self.last.replies for row in r.buttons for b in row]
        raise AssertionError(f"no button with {fragment!r}; buttons were {labels}")

    async def sticker(self) -> Outcome:
        return await self.send(self._in(kind="unsupported", unsupported_what="sticker"))

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.last.replies] if self.last else []

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)
