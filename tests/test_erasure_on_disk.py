"""Withdrawn and purged details are gone from the files on disk, not only from the tables,
while the bot is still running (the connection open, no clean stop yet).

Under WAL the pages from before a deletion stay in the -wal file until a checkpoint, and
deleted rows stay in free space of the database file unless ``secure_delete`` is on.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.housekeeping import run_housekeeping
from bot.services import event_key
from flows.model import Inbound, Outcome
from tests.fakes import FixedClock, fake_source
from tests.intake_fakes import SqliteChat, request_content, request_deps

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
NAME = "Quillonby Zephyrine"
PHONE = "080-2468-1357"
NOTE = "Vexmoor overnight suction"
MESSAGE = "Ask for Zephyrine after the Plinketts visit"


class TelegramChat(SqliteChat):
    """Every step with an update id, as the Telegram driver runs it: its answers are kept
    with the step until sent, and forgotten with the next."""

    _update_ids = itertools.count(1)

    async def send(self, inbound: Inbound) -> Outcome:
        event = event_key("telegram", next(self._update_ids))
        outcome = await self.services.process(inbound, event)
        assert outcome is not None
        await self.services.replies_sent(event)
        self.last = outcome
        self.session = outcome.session
        return outcome


def on_disk(db: Path, *secrets: str) -> list[str]:
    """Which of ``secrets`` can be read in the database file or its -wal file."""
    found = []
    for path in (db, db.with_name(db.name + "-wal")):
        raw = path.read_bytes() if path.exists() else b""
        found += [f"{s} in {path.name}" for s in secrets if s.encode() in raw]
    return found


async def send_request(chat: SqliteChat) -> None:
    for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:t:share", "v1:cs:ok",
                 "v1:in:residence:v:chiyoda"):
        await chat.press(data)
    await chat.text("3")
    for data in ("v1:in:care:t:vent", "v1:in:care:done", "v1:in:situation:v:home",
                 "v1:in:support:v:some", "v1:in:needs:t:talk", "v1:in:needs:done"):
        await chat.press(data)
    await chat.text(NOTE)
    await chat.press("v1:in:contact:v:phone")
    await chat.text(PHONE)
    await chat.press("v1:in:phone_times:skip")
    await chat.text(NAME)
    await chat.press("v1:in:summary:send")


async def test_a_withdrawal_leaves_nothing_readable_in_the_files(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    chat = await TelegramChat.open(db, request_deps(), language_code="en", channel="telegram")
    try:
        await send_request(chat)
        await chat.text(MESSAGE)  # a message on the open ticket, kept for the coordinator
        assert (await chat.rows("SELECT COUNT(*) AS n FROM ticket_entries"))[0]["n"] == 1
        # Until then the details are on disk (so the check below can see them at all).
        assert on_disk(db, NAME, PHONE, NOTE, MESSAGE)

        await chat.command("withdraw")
        await chat.press_label("Yes, withdraw and delete")
        assert "your answers in request K-0001 are deleted" in chat.all_text

        assert on_disk(db, NAME, PHONE, NOTE, MESSAGE) == []
        # Set by tsunagu, not left to how SQLite was built (some builds default to off).
        assert (await chat.rows("PRAGMA secure_delete"))[0]["secure_delete"] == 1
        # The database still works after the checkpoint.
        await chat.command("mydata")
        assert "you withdrew your consent" in chat.all_text
        assert on_disk(db, NAME, PHONE, NOTE, MESSAGE) == []
    finally:
        await chat.close()


async def test_the_retention_purge_leaves_nothing_readable_in_the_files(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    clock = FixedClock(NOW)
    chat = await SqliteChat.open(db, request_deps(clock=clock), language_code="en")
    try:
        await send_request(chat)
        async with chat.services.db.transaction() as tx:
            [ticket] = await tx.tickets.for_subject(chat.session.key)
            await tx.tickets.close(ticket.id, NOW - timedelta(days=100))
        assert on_disk(db, NAME, PHONE, NOTE)

        intake = request_content().intake
        assert intake is not None
        fake_source(chat.services.engine.deps).content = request_content(
            intake=intake.model_copy(update={"closed_ticket_retention_days": 90,
                                              "retention_reviewed": True}))
        assert (await run_housekeeping(chat.services)).purged == 1
        assert on_disk(db, NAME, PHONE, NOTE) == []
    finally:
        await chat.close()


async def test_an_expired_draft_leaves_nothing_readable_in_the_files(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    clock = FixedClock(NOW)
    chat = await SqliteChat.open(db, request_deps(clock=clock), language_code="en")
    try:
        for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:ok",
                     "v1:in:residence:v:chiyoda"):
            await chat.press(data)
        await chat.text("3")
        for data in ("v1:in:care:t:vent", "v1:in:care:done", "v1:in:situation:v:home",
                     "v1:in:support:v:some", "v1:in:needs:t:talk", "v1:in:needs:done"):
            await chat.press(data)
        await chat.text(NOTE)
        assert on_disk(db, NOTE)

        report = await run_housekeeping(chat.services, NOW + timedelta(days=8))
        assert report.expired == 1
        assert on_disk(db, NOTE) == []
    finally:
        await chat.close()
