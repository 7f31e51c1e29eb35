"""Storage for requests on a real SQLite file, and the periodic upkeep: reminders, expiry of
drafts, and the retention purge of closed tickets."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.housekeeping import run_housekeeping
from flows.intake.reminders import due
from flows.records import ConsentDecision, ConsentDecisionKind, Draft, NewTicket
from storage.database import Database
from tests.fakes import FixedClock, fake_source, tg
from tests.intake_fakes import SqliteChat, request_content, request_deps

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


def decision(
    subject: str = "telegram:1:1", kind: ConsentDecisionKind = "granted"
) -> ConsentDecision:
    return ConsentDecision(
        subject=subject, at=NOW, decision=kind, locale="ja", text_version="1", text_hash="h" * 64,
        use_for_request=True, share_with_departments=False, age_information=False,
        writer="guardian", guardian_confirmed=False,
    )


def draft(updated: datetime, reminded: datetime | None = None) -> Draft:
    return Draft(subject="telegram:1:1", channel="telegram", chat_id=tg(1), locale="en",
                 consent_id=1, answers={"writer": "guardian", "_step": "age"},
                 created_at=updated, updated_at=updated, reminded_at=reminded)


def ticket(number: int, consent_id: int, subject: str = "telegram:1:1") -> NewTicket:
    return NewTicket(
        number=number, reference=f"K-{number:04d}", created_at=NOW, office="jido_katei",
        priority="normal", subject=subject, channel="telegram", chat_id=tg(1), locale="ja",
        consent_id=consent_id, share_with_departments=False, answers={"name": "千代田 花子"},
    )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db")
    yield database
    await database.close()


async def test_the_consent_log_is_append_only(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.consents.append(decision())
        await tx.consents.append(decision(kind="withdrawn"))
        await tx.consents.append(decision(subject="telegram:2:2", kind="declined"))
        history = await tx.consents.history("telegram:1:1")
    assert [r.decision for r in history] == ["granted", "withdrawn"] and history[0].id == first
    for statement in ("UPDATE consents SET decision = 'granted'", "DELETE FROM consents"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.conn.execute(statement)
    async with db.transaction() as tx:
        assert len(await tx.consents.history("telegram:2:2")) == 1


async def test_reference_numbers_are_drawn_inside_the_transaction(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.tickets.next_number() == 1
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            assert await tx.tickets.next_number() == 2
            raise RuntimeError("rolled back")
    async with db.transaction() as tx:
        assert await tx.tickets.next_number() == 2


async def test_drafts_round_trip_and_idle_ones_are_found(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.consents.append(decision())
        await tx.drafts.save(draft(NOW))
        loaded = await tx.drafts.load("telegram:1:1")
        assert loaded == draft(NOW)
        assert await tx.drafts.idle_since(NOW - timedelta(hours=1)) == []
        assert [d.subject for d in await tx.drafts.idle_since(NOW)] == ["telegram:1:1"]
        await tx.drafts.mark_reminded("telegram:1:1", NOW + timedelta(days=1))
        reminded = await tx.drafts.load("telegram:1:1")
        assert reminded is not None and reminded.updated_at == NOW  # a reminder is no activity
        assert reminded.reminded_at == NOW + timedelta(days=1)
        assert await tx.drafts.delete("telegram:1:1") is True
        assert await tx.drafts.delete("telegram:1:1") is False


async def test_purge_deletes_details_of_long_closed_tickets_only(db: Database) -> None:
    async with db.transaction() as tx:
        consent_id = await tx.consents.append(decision())
        ids = [await tx.tickets.create(ticket(n, consent_id)) for n in (1, 2, 3)]
        await tx.tickets.close(ids[0], NOW - timedelta(days=400))
        await tx.tickets.close(ids[1], NOW - timedelta(days=10))
        purged = await tx.tickets.purge_closed_before(NOW - timedelta(days=365), NOW)
        left = [t.reference for t in await tx.tickets.for_subject("telegram:1:1")]
        async with tx.conn.execute("SELECT reference, status, details_deleted_at FROM tickets"
                                   " ORDER BY id") as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
    assert purged == 1 and left == ["K-0002", "K-0003"]
    assert rows[0] == ("K-0001", "closed", NOW.isoformat())
    assert rows[1][2] is None and rows[2][1] == "new"


@pytest.mark.parametrize(
    ("idle", "reminded", "clock_utc_hour", "expected"),
    [
        (timedelta(hours=23), False, 1, "wait"),
        (timedelta(hours=25), False, 1, "remind"),  # 10:00 in Tokyo
        (timedelta(hours=25), False, 14, "wait"),  # 23:00 in Tokyo: not at night
        (timedelta(hours=30), True, 1, "wait"),  # one reminder only
        (timedelta(days=7), True, 1, "expire"),
        (timedelta(days=7, hours=1), False, 14, "expire"),
    ],
)
def test_the_reminder_decision(idle: timedelta, reminded: bool, clock_utc_hour: int,
                               expected: str) -> None:
    now = datetime(2026, 11, 30, clock_utc_hour, 0, tzinfo=UTC)
    item = draft(now - idle, reminded=now - timedelta(hours=1) if reminded else None)
    assert due(item, now) == expected


async def start_draft(chat: SqliteChat) -> None:
    await chat.press("v1:req")
    await chat.press("v1:cs:role:guardian")
    await chat.press("v1:cs:t:intake")
    await chat.press("v1:cs:ok")
    await chat.press("v1:in:residence:v:chiyoda")


async def test_housekeeping_reminds_once_then_expires_the_draft(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    chat = await SqliteChat.open(tmp_path / "t.db", request_deps(clock=clock),
                                 language_code="en", channel="telegram")
    try:
        await start_draft(chat)
        clock.advance(hours=23)
        assert (await run_housekeeping(chat.services)).reminders == []
        clock.advance(hours=2)  # 25 hours idle, 11:00 in Tokyo
        report = await run_housekeeping(chat.services)
        [reminder] = report.reminders
        assert reminder.channel == "telegram" and reminder.chat_id == tg(42)
        assert reminder.reply.chat_id == tg(42)
        assert "Continue my request" in reminder.reply.text
        assert "Tue, Dec 1, 2026" in reminder.reply.text  # when it will be deleted
        assert [b.data for row in reminder.reply.buttons for b in row] == ["v1:req:go",
                                                                          "v1:req:del"]
        clock.advance(hours=5)
        assert (await run_housekeeping(chat.services)).reminders == []

        # The reminder's button picks the request up where it was.
        await chat.press("v1:req:go")
        assert chat.session.state == "intake:age"

        clock.advance(days=7, hours=1)
        report = await run_housekeeping(chat.services)
        assert report.expired == 1 and report.reminders == []
        assert await chat.rows("SELECT * FROM intake_drafts") == []
        await chat.text("3 years")  # an answer typed after expiry is not lost silently
        assert "no longer stored" in chat.all_text and "7 days" in chat.all_text
        assert chat.session.state == "idle"
        assert [r["decision"] for r in await chat.rows("SELECT decision FROM consents")] == [
            "granted"]
    finally:
        await chat.close()


async def test_housekeeping_reminds_in_the_parents_language(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    chat = await SqliteChat.open(tmp_path / "t.db", request_deps(clock=clock),
                                 language_code="ja")
    try:
        await start_draft(chat)
        clock.advance(hours=25)
        [reminder] = (await run_housekeeping(chat.services)).reminders
        assert "2026年12月1日(火)" in reminder.reply.text
    finally:
        await chat.close()


async def test_housekeeping_purges_only_once_staff_set_the_period(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    chat = await SqliteChat.open(tmp_path / "t.db", request_deps(clock=clock))
    try:
        async with chat.services.db.transaction() as tx:
            consent_id = await tx.consents.append(decision())
            ticket_id = await tx.tickets.create(ticket(1, consent_id))
            await tx.tickets.close(ticket_id, NOW - timedelta(days=100))
        assert (await run_housekeeping(chat.services)).purged == 0  # period not set: keep
        assert len(await chat.rows("SELECT * FROM ticket_details")) == 1

        intake = request_content().intake
        assert intake is not None
        content = request_content(intake=intake.model_copy(
            update={"closed_ticket_retention_days": 90, "retention_reviewed": True}))
        fake_source(chat.services.engine.deps).content = content
        assert (await run_housekeeping(chat.services)).purged == 1
        assert await chat.rows("SELECT * FROM ticket_details") == []
        [row] = await chat.rows("SELECT reference, status FROM tickets")
        assert row == {"reference": "K-0001", "status": "closed"}
    finally:
        await chat.close()


async def test_new_tables_exist_after_migrating(db: Database) -> None:
    async with db.transaction() as tx, tx.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    ) as cur:
        tables = {row[0] for row in await cur.fetchall()}
    assert {"consents", "intake_drafts", "ticket_numbers", "tickets", "ticket_details",
            "outbox"} <= tables


async def test_a_step_cancelled_while_its_transaction_begins_leaves_none_open(
    tmp_path: Path,
) -> None:
    """A stop (SIGTERM cancels the background jobs) can land while BEGIN is on its way to
    aiosqlite's thread; the next step must still get a transaction of its own."""
    db = await Database.open(tmp_path / "cancel.db")
    try:
        for _ in range(20):

            async def step() -> None:
                async with db.transaction():
                    await asyncio.sleep(1)

            task = asyncio.create_task(step())
            await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            async with db.transaction() as tx:  # "within a transaction" before the fix
                await tx.outbox.due(datetime(2026, 1, 1, tzinfo=UTC), 1)
    finally:
        await db.close()
