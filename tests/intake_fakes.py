"""Fakes for requests to coordinators: content with the shipped consent/intake/routing files,
a chat on the in-memory store of tests/fakes.py, and a chat that runs through the real SQLite
composition (restart = close and reopen the database)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.services import Services
from content.i18n import CatalogTranslations
from content.intake_models import ConsentText, IntakeFile, RoutingFile
from content.loader import DEFAULT_CONTENT_DIR, Content
from content.models import Office, OfficesFile
from content.needs_models import NeedsFile
from flows.address import address
from flows.engine import Engine
from flows.model import Inbound, InboundKind, Outcome
from flows.turn import Deps
from storage.database import Database
from tests.fakes import (
    Chat,
    FakeContentSource,
    FakeEmergency,
    FixedClock,
    MemoryStore,
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
        needs=NeedsFile.model_validate(_yaml("needs.yaml")),
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


def services_on(db: Database, deps: Deps) -> Services:
    """The desk's services on ``db`` with the test content of ``deps``."""
    # Services.content is typed as the concrete ContentStore, though nothing uses more of it
    # than the ContentSource Protocol declares, which the fake source implements.
    return Services(db=db, content=deps.content, engine=Engine(deps))  # type: ignore[arg-type]


def memory_chat(engine: Engine, *, language_code: str = "ja", user_id: int = 42) -> Chat:
    return Chat(engine, MemoryStore(), user_id=user_id, language_code=language_code)


# --- the same conversation on a real SQLite file ------------------------------------------


class SqliteChat(Chat):
    """A chat whose every step goes through ``Services.process`` on a database file."""

    def __init__(self, services: Services, *, user_id: int = 42, language_code: str = "ja",
                 channel: Literal["telegram", "console"] = "console") -> None:
        super().__init__(services.engine, None, user_id=user_id, language_code=language_code)
        self.services = services
        self.channel = channel

    @classmethod
    async def open(cls, path: Path, deps: Deps, **kwargs: Any) -> SqliteChat:
        db = await Database.open(path)
        services = services_on(db, deps)
        return cls(services, **kwargs)

    async def restart(self) -> None:
        """Close the database and open it again with a new engine, as after a crash."""
        path, deps = self.services.db.path, self.engine.deps
        await self.services.close()
        db = await Database.open(path)
        self.services = services_on(db, deps)
        self.engine = self.services.engine

    async def send(self, inbound: Inbound) -> Outcome:
        outcome = await self.services.process(inbound)
        assert outcome is not None
        self.last = outcome
        self.session = outcome.session
        return outcome

    def _in(self, kind: InboundKind, **fields: Any) -> Inbound:
        who = address(self.channel, self.user_id)
        return Inbound(channel=self.channel, user_id=who, chat_id=who,
                       language_code=self.language_code, kind=kind, **fields)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.services.db.transaction() as tx, tx.conn.execute(sql, args) as cur:
            return [dict(row) for row in await cur.fetchall()]

    async def close(self) -> None:
        await self.services.close()
