"""Repositories over one open transaction; together they implement :class:`flows.ports.Store`."""

from __future__ import annotations

import aiosqlite

from storage.repos.audit import AuditRepo
from storage.repos.sessions import SessionRepo
from storage.repos.unanswered import UnansweredRepo
from storage.repos.updates import UpdateRepo


class Tx:
    """What one step may touch. Valid only inside ``Database.transaction()``."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.sessions = SessionRepo(conn)
        self.updates = UpdateRepo(conn)
        self._unanswered = UnansweredRepo(conn)
        self.audit = AuditRepo(conn)

    @property
    def unanswered(self) -> UnansweredRepo:
        return self._unanswered
