"""Desk storage on real SQLite files: claims are atomic across connections, changes are
compare-and-set, what was said goes with the details, the worker's outbox bookkeeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows.records import ConsentDecision, NewTicket, OutboxMessage
from storage.database import Database
from tests.fakes import tg

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


async def new_ticket(db: Database, number: int = 1) -> int:
    async with db.transaction() as tx:
        consent = await tx.consents.append(ConsentDecision(
            subject="s", at=NOW, decision="granted", locale="ja", text_version="1",
            text_hash="h" * 64, use_for_request=True, share_with_departments=False,
            age_information=False, writer="guardian", guardian_confirmed=False))
        return await tx.tickets.create(NewTicket(
            number=number, reference=f"K-{number:04d}", created_at=NOW, office="jido_katei",
            priority="normal", subject="s", channel="telegram", chat_id=tg(5), locale="ja",
            consent_id=consent, share_with_departments=False, answers={"name": "N"}))


async def test_only_one_of_many_racing_connections_claims_a_ticket(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    first = await Database.open(path)
    ticket_id = await new_ticket(first)
    others = [await Database.open(path) for _ in range(5)]
    databases = [first, *others]

    async def claim(db: Database, user: int) -> bool:
        async with db.transaction() as tx:
            return await tx.desk.claim(ticket_id, tg(user), NOW)

    try:
        results = await asyncio.gather(*(claim(db, 100 + i) for i, db in enumerate(databases)))
        assert sorted(results) == [False] * 5 + [True]
        winner = 100 + results.index(True)
        async with first.transaction() as tx:
            ticket = await tx.desk.get(ticket_id)
        assert ticket is not None
        assert (ticket.assignee, ticket.status) == (tg(winner), "assigned")
    finally:
        for db in databases:
            await db.close()


async def test_changes_say_what_they_expect(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        ticket_id = await new_ticket(db)
        async with db.transaction() as tx:
            desk = tx.desk
            assert await desk.claim(ticket_id, tg(1), NOW)
            assert not await desk.claim(ticket_id, tg(2), NOW)  # held already
            assert not await desk.reassign(ticket_id, expected=tg(2), to=tg(3), at=NOW)  # not 2's
            assert await desk.reassign(ticket_id, expected=tg(1), to=tg(3), at=NOW)
            later = NOW + timedelta(hours=1)
            assert await desk.reassign(ticket_id, expected=tg(3), to=None, at=later)
            released = await desk.get(ticket_id)
            assert released is not None and released.status == "new"
            assert released.assignee is None and released.waiting_since == later
            assert await desk.close(ticket_id, "resolved", later)
            assert not await desk.close(ticket_id, "other", later)  # closed already
            assert not await desk.claim(ticket_id, tg(4), later)  # a closed ticket is not claimed
            assert await desk.reopen(ticket_id, later)
            assert not await desk.reopen(ticket_id, later)
            reopened = await desk.get(ticket_id)
            assert reopened is not None and reopened.status == "new"
            assert reopened.outcome is None and reopened.closed_at is None
    finally:
        await db.close()


async def test_what_was_said_goes_with_the_details(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        ticket_id = await new_ticket(db)
        async with db.transaction() as tx:
            await tx.desk.add_entry(ticket_id, "family", "our address is …", NOW)
            await tx.desk.add_entry(ticket_id, "note", "called the hospital", NOW, tg(7))
            assert [e.kind for e in await tx.desk.entries(ticket_id, 10)] == ["family", "note"]
            assert [e.kind for e in await tx.desk.entries(ticket_id, 1)] == ["note"]
            await tx.desk.close(ticket_id, "resolved", NOW)
            await tx.tickets.withdraw(ticket_id, NOW)
            assert await tx.desk.entries(ticket_id, 10) == []
            assert not await tx.desk.reopen(ticket_id, NOW)  # nothing left to work with
            ticket = await tx.desk.get(ticket_id)
            async with tx.conn.execute("SELECT family_messages FROM tickets") as cur:
                counted = await cur.fetchone()
        assert ticket is not None and ticket.details is None
        assert counted is not None and counted[0] == 1  # the anonymous count stays
    finally:
        await db.close()


async def test_the_outbox_hands_out_each_row_until_it_is_sent_or_given_up(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        async with db.transaction() as tx:
            ids = [await tx.outbox.enqueue(OutboxMessage(kind="ticket_new", payload={"n": i}),
                                           NOW) for i in range(4)]
            assert [r.id for r in await tx.outbox.due(NOW, 10)] == ids
            await tx.outbox.mark_sent([ids[0]], NOW, 11)
            await tx.outbox.give_up([ids[1]], NOW, "Forbidden")
            await tx.outbox.retry_later([ids[2]], NOW + timedelta(seconds=30), "NetworkError")
            await tx.outbox.set_batch([ids[3]], "digest-x")
            assert [(r.id, r.batch) for r in await tx.outbox.due(NOW, 10)] == [
                (ids[3], "digest-x")]
            assert await tx.outbox.next_attempt_after(NOW) == NOW + timedelta(seconds=30)
            later = NOW + timedelta(seconds=31)
            again, batched = await tx.outbox.due(later, 10)
            assert (again.id, again.attempts, batched.id) == (ids[2], 1, ids[3])
            await tx.outbox.mark_sent([ids[0]], later, 99)  # marking twice changes nothing
            async with tx.conn.execute(
                "SELECT message_id, sent_at FROM outbox WHERE id = ?", (ids[0],)
            ) as cur:
                row = await cur.fetchone()
        assert row is not None and row[0] == 11 and row[1] == NOW.isoformat()
    finally:
        await db.close()


async def test_a_family_open_ticket_comes_before_a_newer_closed_one(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        older = await new_ticket(db, 1)
        newer = await new_ticket(db, 2)
        async with db.transaction() as tx:
            latest = await tx.desk.latest_for_subject("s")
            assert latest is not None and latest.id == newer
            await tx.desk.close(newer, "resolved", NOW)
            latest = await tx.desk.latest_for_subject("s")
            assert latest is not None and latest.id == older
            assert await tx.desk.latest_for_subject("someone else") is None
    finally:
        await db.close()
