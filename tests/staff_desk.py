"""A desk on a copy of the shipped content and a SQLite file, with one staff member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.services import Services
from flows.records import RosterMember
from flows.text import to_plain
from tests.content_dirs import copy_shipped
from tests.fakes import tg
from tests.intake_fakes import SqliteChat

STAFF_ID = 7001
COORDINATOR_ID = 7002
PARENT_ID = 42


@dataclass
class Desk:
    services: Services
    root: Path
    staff: SqliteChat
    parent: SqliteChat

    def chat(self, user_id: int, language_code: str = "ja") -> SqliteChat:
        return SqliteChat(self.services, user_id=user_id, language_code=language_code,
                          channel="telegram")

    def entry(self, locale: str, entry_id: str) -> dict[str, Any]:
        data = yaml.safe_load((self.root / f"faq.{locale}.yaml").read_text("utf-8"))
        return next(e for e in data["entries"] if e["id"] == entry_id)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return await self.staff.rows(sql, *args)

    async def ask(self, text: str) -> str:
        """What a parent reads back for ``text``, as plain text."""
        await self.parent.text(text)
        return to_plain(self.parent.all_text)


@asynccontextmanager
async def open_desk(tmp_path: Path) -> AsyncIterator[Desk]:
    root = copy_shipped(tmp_path)
    roster = [
        RosterMember(user_id=tg(STAFF_ID), display_name="区職員A", staff=True),
        RosterMember(user_id=tg(COORDINATOR_ID), display_name="調整役B", coordinator=True,
                     office="kodomo_hattatsu"),
    ]
    services = await Services.start(tmp_path / "desk.db", root, roster)
    desk = Desk(
        services=services,
        root=root,
        # Staff are on the roster by their Telegram ids, so they write from Telegram.
        staff=SqliteChat(services, user_id=STAFF_ID, language_code="en", channel="telegram"),
        parent=SqliteChat(services, user_id=PARENT_ID, language_code="ja", channel="telegram"),
    )
    try:
        yield desk
    finally:
        await services.close()


def plain(chat: SqliteChat) -> str:
    return to_plain(chat.all_text)
