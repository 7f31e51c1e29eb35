"""Storage on a real SQLite file: migrations, round trips, WAL, atomic steps, file privacy."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from flows.model import Session
from storage.database import Database
from storage.migrate import available, current_version, migrate

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


async def test_migrations_run_from_empty_and_are_tracked(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    await db.close()
    conn = sqlite3.connect(tmp_path / "t.db")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert version == len(available()) >= 1
    assert {"sessions", "processed_updates", "unanswered", "audit"} <= tables


async def test_every_migration_applies_one_step_at_a_time(tmp_path: Path) -> None:
    # The "stairway": each numbered migration applies on top of the one before it.
    async with aiosqlite.connect(tmp_path / "s.db", isolation_level=None) as conn:
        for migration in available():
            reached = await migrate(conn, upto=migration.version)
            assert reached == migration.version == await current_version(conn)
        assert await migrate(conn) == len(available())  # nothing left to do


async def test_session_round_trip_and_resume_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db = await Database.open(path)
    async with db.transaction() as tx:
        session = await tx.sessions.load("telegram:1:1")
        assert session.state == "idle" and session.updated_at is None
        session.state = "intake:care"
        session.locale = "en"
        session.data = {"draft": {"age": "2歳"}, "step": 3}
        await tx.sessions.save(session, NOW)
    await db.close()

    reopened = await Database.open(path)
    async with reopened.transaction() as tx:
        loaded = await tx.sessions.load("telegram:1:1")
    await reopened.close()
    assert loaded.state == "intake:care" and loaded.locale == "en"
    assert loaded.data == {"draft": {"age": "2歳"}, "step": 3}
    assert loaded.updated_at == NOW


async def test_a_failed_step_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.updates.claim("telegram:7", NOW)
            await tx.sessions.save(Session(key="k", state="half"), NOW)
            raise RuntimeError("crash in the middle of a step")
    async with db.transaction() as tx:
        assert (await tx.sessions.load("k")).state == "idle"
        assert await tx.updates.claim("telegram:7", NOW)  # the update was not marked handled
    await db.close()


async def test_an_update_is_claimed_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    async with db.transaction() as tx:
        assert await tx.updates.claim("telegram:100", NOW)
        assert not await tx.updates.claim("telegram:100", NOW)
        assert await tx.updates.forget_before(NOW + timedelta(days=8)) == 1
    await db.close()


async def test_wal_and_foreign_keys_are_on_and_a_second_reader_sees_commits(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await tx.sessions.save(Session(key="a", state="x"), NOW)
        async with tx.conn.execute("PRAGMA foreign_keys") as cur:
            row = await cur.fetchone()
            assert row is not None and row[0] == 1
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT state FROM sessions WHERE key='a'").fetchone()[0] == "x"
    other.close()
    await db.close()


async def test_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private" / "t.db"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await tx.sessions.save(Session(key="a"), NOW)
    for file in path.parent.iterdir():
        mode = stat.S_IMODE(file.stat().st_mode)
        assert mode & 0o077 == 0, f"{file.name} is {oct(mode)}"
    await db.close()


async def test_unanswered_log_keeps_no_user_and_bounds_the_text(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    async with db.transaction() as tx:
        await tx.unanswered.record(at=NOW, locale="ja", text="あ" * 5000, mode="refuse",
                                   best_topic=None, confidence=0.1)
        rows = await tx.unanswered.since(NOW - timedelta(hours=1))
        async with tx.conn.execute("SELECT * FROM unanswered") as cur:
            columns = [d[0] for d in cur.description]
    await db.close()
    assert len(rows) == 1 and len(str(rows[0]["text"])) == 2000
    assert not any("user" in c or "chat" in c for c in columns)
