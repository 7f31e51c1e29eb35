"""The database handle: one aiosqlite connection shared by the whole process."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrate import migrate
from storage.repos import Tx

log = logging.getLogger(__name__)


class Database:
    """One connection, WAL, foreign keys on; steps run one at a time in transactions.

    SQLite serialises writers anyway; an asyncio lock around each transaction keeps
    two coroutines from interleaving statements on the shared connection.

    A family's details that are withdrawn or purged must be gone from the disk, not only
    from the tables: ``secure_delete`` overwrites deleted content with zeros, and a
    transaction that erased something is followed by a checkpoint that copies the zeroed
    pages into the database file and empties the -wal file, which still held the old ones.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = str(path)
        if path != ":memory:":
            _create_private(Path(path))
        # The -wal and -shm files SQLite creates beside it must be private too.
        previous_umask = os.umask(0o077)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA busy_timeout = 5000")
            # Deleted rows would otherwise stay readable in free space of the file.
            await conn.execute("PRAGMA secure_delete = ON")
            await migrate(conn)
        finally:
            os.umask(previous_umask)
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                tx = Tx(self._conn)
                yield tx
            except BaseException:
                # Also when cancelled while BEGIN was on its way: aiosqlite runs it in its
                # thread anyway, and the ROLLBACK queued after it undoes it (sqlite3's
                # rollback is a no-op with no transaction open). Shielded, so that a stop
                # arriving now cannot leave a transaction open for the next step.
                await asyncio.shield(self._conn.rollback())
                raise
            else:
                await self._conn.commit()
                if tx.erasure.noted:
                    await self._checkpoint()

    async def _checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it to nothing."""
        try:
            async with self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                row = await cur.fetchone()
        except sqlite3.Error as exc:
            # The erasure is committed; only its trace in the -wal file outlives it, until
            # the next checkpoint. Failing the step for that would not bring the data back.
            log.warning("checkpoint after an erasure failed: %s", type(exc).__name__)
            return
        if row is not None and row[0]:
            # Another connection (a report being written, say) still reads older pages.
            log.warning("checkpoint after an erasure could not finish; the -wal file keeps"
                        " old pages until the next one")


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only: it will hold families' details."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
