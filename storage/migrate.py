"""Numbered migrations, tracked in ``PRAGMA user_version``.

``migrations/NNNN_name.sql`` files run in order, each in its own transaction
together with the version bump, so a crash mid-migration leaves the old version.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


async def current_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection, upto: int | None = None) -> int:
    """Bring the schema up to ``upto`` (default: the newest); return the version reached."""
    version = await current_version(conn)
    for migration in available():
        if migration.version <= version or (upto is not None and migration.version > upto):
            continue
        # A table is rebuilt to change a column (SQLite cannot alter one): with foreign keys
        # enforced, dropping the old table would delete the rows that refer to it (ON DELETE
        # CASCADE). So, as SQLite prescribes, they are off while a migration runs, and every
        # reference is checked before it commits. The pragma is a no-op inside a transaction.
        enforced = await _foreign_keys(conn)
        await conn.execute("PRAGMA foreign_keys = OFF")
        try:
            # executescript would commit on its own; run statements one by one inside BEGIN.
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(migration.sql):
                    await conn.execute(statement)
                await _check_references(conn, migration)
                await conn.execute(f"PRAGMA user_version = {migration.version}")
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
        finally:
            await conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
        version = migration.version
    return version


async def _foreign_keys(conn: aiosqlite.Connection) -> bool:
    async with conn.execute("PRAGMA foreign_keys") as cur:
        row = await cur.fetchone()
    return bool(row and row[0])


async def _check_references(conn: aiosqlite.Connection, migration: Migration) -> None:
    async with conn.execute("PRAGMA foreign_key_check") as cur:
        broken = await cur.fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"{migration.name} leaves rows referring to nothing in {tables}")


def _statements(sql: str) -> list[str]:
    # Comments may contain ';' and triggers contain several; split on complete statements.
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise RuntimeError(f"incomplete SQL statement at the end of a migration: {buffer[:60]!r}")
    return statements
