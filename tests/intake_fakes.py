"""Fakes for requests to coordinators: content with the shipped consent/intake/routing files,
in-memory stores for consents, drafts, tickets and the outbox, and a chat that runs through
the real SQLite composition (restart = close and reopen the database)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.services import Services
from content.i18n import CatalogTranslations
from content.intake_models import ConsentText, IntakeFile, RoutingFile
from content.loader import DEFAULT_CONTENT_DIR, Content
from content.models import Office, OfficesFile
from flows.engine import Engine
from flows.model import Inbound, Outcome
from flows.ports import (
    TICKET_CLOSED,
    TICKET_NEW,
    TICKET_WITHDRAWN,
    ConsentDecision,
    Draft,
    NewTicket,
    OutboxMessage,
    RecordedConsent,
    TicketRecord,
)
from flows.turn import Deps
from storage.database import Database
from tests.fakes import (
    Chat,
    FakeContentSource,
    FakeEmergency,
    FixedClock,
    MemoryFaqViews,
    MemoryRoster,
    MemoryUnanswered,
    NoDesk,
    lt,
    small_content,
)


def _yaml(name: str) -> Any:
    return yaml.safe_load((DEFAULT_CONTENT_DIR / name).read_text("utf-8"))


def request_content(**changes: Any) -> Content:
    """The small FAQ content plus the shipped request files and both coordinator offices."""
    base = small_content()
    offices = OfficesFile(
        shared_roles=base.offices.shared_roles,
        offices=[
            Office(id="kodomo_hattatsu",
                   name=lt("子ども発達センター", "Child Development Center"), phone="【要確認】"),
            Office(id="jido_katei",
                   name=lt("児童・家庭支援センター", "Children and Family Support Center"),
                   phone="【要確認】"),
        ],
    )
    content = Content(
        faq=base.faq,
        categories=base.categories,
        offices=offices,
        synonyms=base.synonyms,
        offtopic=base.offtopic,
        fingerprint="requests",
        consent={
            "ja": ConsentText.model_validate(_yaml("consent.ja.yaml")),
            "en": ConsentText.model_validate(_yaml("consent.en.yaml")),
        },
        intake=IntakeFile.model_validate(_yaml("intake.yaml")),
        routing=RoutingFile.model_validate(_yaml("routing.yaml")),
    )
    return dataclasses.replace(content, **changes) if changes else content


def with_confirmed_hours(content: Content) -> Content:
    """The same content once the ward has confirmed the desk hours (the shipped file has not)."""
    hours = content.routing.desk_hours.model_copy(update={"reviewed": True, "staff_note": None})
    return dataclasses.replace(
        content, routing=content.routing.model_copy(update={"desk_hours": hours}))


def request_deps(clock: FixedClock | None = None, content: Content | None = None) -> Deps:
    return Deps(
        content=FakeContentSource(content=content or request_content()),
        emergency=FakeEmergency(),
        translations=CatalogTranslations(),
        clock=clock or FixedClock(),
    )


# --- in-memory stores --------------------------------------------------------------------


@dataclass
class MemoryConsents:
    rows: list[RecordedConsent] = field(default_factory=list)

    async def append(self, decision: ConsentDecision) -> int:
        record = RecordedConsent(id=len(self.rows) + 1, **decision.model_dump())
        self.rows.append(record)
        return record.id

    async def history(self, subject: str) -> list[RecordedConsent]:
        return [r for r in self.rows if r.subject == subject]


@dataclass
class MemoryDrafts:
    rows: dict[str, Draft] = field(default_factory=dict)

    async def load(self, subject: str) -> Draft | None:
        draft = self.rows.get(subject)
        return draft.model_copy(deep=True) if draft else None

    async def save(self, draft: Draft) -> None:
        self.rows[draft.subject] = draft.model_copy(deep=True)

    async def delete(self, subject: str) -> bool:
        return self.rows.pop(subject, None) is not None


@dataclass
class MemoryTickets:
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
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
class MemoryOutbox:
    messages: list[OutboxMessage] = field(default_factory=list)

    async def enqueue(self, message: OutboxMessage, at: datetime) -> int:
        self.messages.append(message)
        return len(self.messages)


@dataclass
class RequestStore:
    unanswered: MemoryUnanswered = field(default_factory=MemoryUnanswered)
    faq_views: MemoryFaqViews = field(default_factory=MemoryFaqViews)
    consents: MemoryConsents = field(default_factory=MemoryConsents)
    drafts: MemoryDrafts = field(default_factory=MemoryDrafts)
    tickets: MemoryTickets = field(default_factory=MemoryTickets)
    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    roster: MemoryRoster = field(default_factory=MemoryRoster)
    desk: NoDesk = field(default_factory=NoDesk)


def memory_chat(engine: Engine, *, language_code: str = "ja", user_id: int = 42) -> Chat:
    return Chat(engine, RequestStore(), user_id=user_id, language_code=language_code)


# --- the same conversation on a real SQLite file ------------------------------------------


class SqliteChat(Chat):
    """A chat whose every step goes through ``Services.process`` on a database file."""

    def __init__(self, services: Services, *, user_id: int = 42, language_code: str = "ja",
                 channel: str = "console") -> None:
        super().__init__(services.engine, None, user_id=user_id, language_code=language_code)
        self.services = services
        self.channel = channel

    @classmethod
    async def open(cls, path: Path, deps: Deps, **kwargs: Any) -> SqliteChat:
        db = await Database.open(path)
        services = Services(db=db, content=deps.content, engine=Engine(deps))  # type: ignore[arg-type]
        return cls(services, **kwargs)

    async def restart(self) -> None:
        """Close the database and open it again with a new engine, as after a crash."""
        path, deps = self.services.db.path, self.engine.deps
        await self.services.close()
        db = await Database.open(path)
        self.services = Services(db=db, content=deps.content, engine=Engine(deps))  # type: ignore[arg-type]
        self.engine = self.services.engine

    async def send(self, inbound: Inbound) -> Outcome:
        outcome = await self.services.process(inbound)
        assert outcome is not None
        self.last = outcome
        self.session = outcome.session
        return outcome

    def _in(self, **fields: Any) -> Inbound:
        return Inbound(channel=self.channel, user_id=self.user_id, chat_id=self.user_id,  # type: ignore[arg-type]
                       language_code=self.language_code, **fields)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.services.db.transaction() as tx, tx.conn.execute(sql, args) as cur:
            return [dict(row) for row in await cur.fetchall()]

    async def close(self) -> None:
        await self.services.close()
