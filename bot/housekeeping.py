"""Periodic upkeep of requests: draft reminders and expiry, and the retention purge.

A driver calls :func:`run_housekeeping` every few minutes (the Telegram driver from a
job queue, say every 10 minutes) and sends the returned reminders itself::

    report = await run_housekeeping(services)
    for item in report.reminders:
        if item.channel == "telegram":
            await send(item.chat_id, item.reply)

Everything happens in one transaction. A reminder is marked sent before it is handed
out, so a failure to deliver it loses that one reminder rather than sending it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services import Services
from flows.address import Address
from flows.intake.reminders import REMIND_AFTER, due, reminder
from flows.model import Reply
from storage.repos import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftReminder:
    channel: str
    chat_id: Address
    reply: Reply


@dataclass
class HousekeepingReport:
    reminders: list[DraftReminder] = field(default_factory=list)
    expired: int = 0
    purged: int = 0


async def run_housekeeping(services: Services, now: datetime | None = None) -> HousekeepingReport:
    deps = services.engine.deps
    now = now or deps.clock.now()
    report = HousekeepingReport()
    intake = deps.content.current().intake
    retention_days = intake.closed_ticket_retention_days if intake else None
    async with services.db.transaction() as tx:
        for draft in await tx.drafts.idle_since(now - REMIND_AFTER):
            decision = due(draft, now)
            if decision == "expire":
                # The conversation is left as it was: if the parent answers the old question
                # later, the intake finds no draft and says it was deleted after 7 days.
                await tx.drafts.delete(draft.subject)
                # A family's unsent answers: gone from the disk too, like a withdrawal.
                tx.erasure.note()
                report.expired += 1
            elif decision == "remind":
                await tx.drafts.mark_reminded(draft.subject, now)
                translator = deps.translations.for_locale(draft.locale)
                report.reminders.append(
                    DraftReminder(draft.channel, draft.chat_id, reminder(draft, translator))
                )
        if retention_days is not None:
            report.purged = await purge_closed_tickets(tx, now, retention_days)
        # Updates Telegram can no longer deliver again need no memory of being handled, and
        # answers kept for a redelivery that cannot come any more may quote a family.
        await tx.updates.forget_before(now - tx.updates.retention())
        await tx.updates.drop_replies_before(now - tx.updates.redelivery_window())
    # Counts only: nothing about who or what.
    log.info("housekeeping: %d reminder(s), %d draft(s) expired, %d ticket(s) purged",
             len(report.reminders), report.expired, report.purged)
    return report


async def purge_closed_tickets(tx: Tx, now: datetime, retention_days: int) -> int:
    """Delete the personal details of tickets closed more than ``retention_days`` ago.

    The anonymous ticket rows stay, so the ward can still count requests. The period is
    ``closed_ticket_retention_days`` in content/data/intake.yaml; while staff have not set
    it, nothing is purged.
    """
    return await tx.tickets.purge_closed_before(now - timedelta(days=retention_days), now)

