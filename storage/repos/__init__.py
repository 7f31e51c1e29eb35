"""Repositories over one open transaction; together they implement :class:`flows.ports.Store`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiosqlite

from storage.repos.arrivals import ArrivalRepo
from storage.repos.audit import AuditRepo
from storage.repos.consents import ConsentRepo
from storage.repos.content_changes import ContentChangeRepo
from storage.repos.desk import DeskRepo
from storage.repos.drafts import DraftRepo
from storage.repos.erasure import Erasure
from storage.repos.faq_views import FaqViewRepo
from storage.repos.line_inbox import LineInboxRepo
from storage.repos.milestones import MilestoneRepo
from storage.repos.needs import NeedRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.roster import RosterRepo
from storage.repos.sessions import SessionRepo
from storage.repos.sharing import FamilyRepo, ShareRepo
from storage.repos.tickets import TicketRepo
from storage.repos.unanswered import UnansweredRepo
from storage.repos.updates import UpdateRepo


class Tx:
    """What one step may touch. Valid only inside ``Database.transaction()``."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # Noted when this transaction deletes a family's details; the database then
        # checkpoints after the commit so that the old pages leave the -wal file.
        self.erasure = Erasure()
        self.sessions = SessionRepo(conn)
        self.updates = UpdateRepo(conn)
        self._unanswered = UnansweredRepo(conn)
        self.audit = AuditRepo(conn)
        # Requests to coordinators (migration 0002).
        self.consents = ConsentRepo(conn, self.erasure)
        self.drafts = DraftRepo(conn)
        self.tickets = TicketRepo(conn, self.erasure)
        self.outbox = OutboxRepo(conn)
        # Coordinators and staff (migration 0003).
        self.roster = RosterRepo(conn)
        # Staff edits of the FAQ and the answers shown (migration 0004).
        self.content_changes = ContentChangeRepo(conn)
        self.faq_views = FaqViewRepo(conn)
        # The coordinators' desk (migration 0005).
        self.desk = DeskRepo(conn)
        # Information for the child's age (migration 0007).
        self.milestones = MilestoneRepo(conn, self.erasure)
        # Needs and problems found on requests, for the support council (migration 0008).
        self.needs = NeedRepo(conn)
        # Which flyer brought families, counted per day (migration 0009).
        self.arrivals = ArrivalRepo(conn)
        # Sharing with related departments, the families known (migration 0010).
        self.shares = ShareRepo(conn)
        self.families = FamilyRepo(conn, self.desk)
        # LINE's webhook events until handled and answered, and who unfollowed (0012).
        self.line_inbox = LineInboxRepo(conn)

    @property
    def unanswered(self) -> UnansweredRepo:
        return self._unanswered


if TYPE_CHECKING:
    from flows.ports import Store

    def _a_transaction_is_a_store(tx: Tx) -> Store:
        # mypy proves here that the repositories implement every port the flows use.
        return tx
