"""Tickets nobody takes: one reminder in the group after N business hours, then the
supervisors hear of it after N more.

Only the desk's business hours count (weekdays within ``routing.yaml``'s desk hours, not
on Japanese public holidays or 12/29–1/3; see flows/business_hours.py): a request sent on
Friday evening is not "overdue" on Monday at nine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from content.base import TOKYO, in_tokyo
from content.intake_models import DeskHours
from flows.address import Address
from flows.business_hours import is_business_day
from flows.desk.context import enqueue
from flows.ports import CoordinatorStore
from flows.records import TICKET_NEW, DeskTicket
from flows.turn import Deps

Due = Literal["wait", "remind", "escalate"]
# Waits longer than this are not measured precisely (and a bound keeps the loop short).
_MAX_DAYS = 62


def business_time(start: datetime, end: datetime, hours: DeskHours) -> timedelta:
    """How much of the desk's open time lies between ``start`` and ``end``."""
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    day = in_tokyo(start).date()
    last = min(in_tokyo(end).date(), day + timedelta(days=_MAX_DAYS))
    while day <= last:
        if is_business_day(day):
            opens = datetime.combine(day, hours.opening_time, tzinfo=TOKYO)
            closes = datetime.combine(day, hours.closing_time, tzinfo=TOKYO)
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def due(ticket: DeskTicket, now: datetime, hours: DeskHours, after: timedelta) -> Due:
    if ticket.status != TICKET_NEW or ticket.assignee is not None:
        return "wait"
    if ticket.reminded_at is None:
        waited = business_time(ticket.waiting_since, now, hours)
        return "remind" if waited >= after else "wait"
    if ticket.escalated_at is None and business_time(ticket.reminded_at, now, hours) >= after:
        return "escalate"
    return "wait"


async def remind_unclaimed(deps: Deps, store: CoordinatorStore, now: datetime) -> tuple[int, int]:
    """Queue the reminders and escalations that are due; (reminded, escalated) counts."""
    hours = deps.content.current().routing.desk_hours
    after = timedelta(hours=deps.desk.remind_after_hours)
    reminded = escalated = 0
    supervisors: list[Address | None] | None = None
    for ticket in await store.desk.open_tickets():
        decision = due(ticket, now, hours, after)
        if decision == "remind":
            await store.desk.mark_reminded(ticket.id, now)
            await enqueue(store.outbox, now, "ticket_reminder", ticket, reason="unclaimed")
            reminded += 1
        elif decision == "escalate":
            if supervisors is None:
                # One message per supervisor; with none on the roster, the group is told.
                supervisors = [m.user_id for m in await store.roster.members()
                               if m.supervisor] or [None]
            await store.desk.mark_escalated(ticket.id, now)
            for recipient in supervisors:
                await enqueue(store.outbox, now, "ticket_escalation", ticket, recipient=recipient)
            escalated += 1
    return reminded, escalated
