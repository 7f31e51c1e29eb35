"""Which families receive a milestone now, written to the outbox once each.

Run every few minutes by the driver (bot/milestone_timer.py). Only while the desk
is open (routing.yaml's desk hours, on business days): a message about school entry is no
reason to wake a family at night. A family receives milestones while the consent in force
includes the information for the child's age and their request's details (where the birth
month is) are still stored; the message itself is written when it is sent, and dropped if
the family stopped the messages meanwhile (flows/milestones/delivery.py).
"""

from __future__ import annotations

from datetime import date, datetime

from content.base import in_tokyo
from flows.business_hours import is_open
from flows.milestones.schedule import birth_month_of, next_to_send, schedule
from flows.ports import ConsentLog, MilestoneLog, MilestoneStore
from flows.records import OutboxMessage, SentMilestone
from flows.tickets import consent_in_force
from flows.turn import Deps

MILESTONE_KIND = "milestone"


async def wants_age_information(consents: ConsentLog, subject: str) -> bool:
    """Whether the consent in force of ``subject`` includes the information for the age."""
    current = consent_in_force(await consents.history(subject))
    return current is not None and current.age_information


async def milestones_sent(log: MilestoneLog, subject: str) -> list[SentMilestone]:
    """The milestones sent to a family, oldest first (for /mydata and the coordinators)."""
    return await log.sent(subject)


def _last_day(sent: list[SentMilestone]) -> date | None:
    return max((in_tokyo(s.at).date() for s in sent), default=None)


async def send_due_milestones(deps: Deps, store: MilestoneStore, now: datetime) -> int:
    """Queue today's milestone for every family that has one due; how many were queued."""
    content = deps.content.current()
    if not content.milestones or not is_open(now, content.routing.desk_hours):
        return 0
    today = in_tokyo(now).date()
    queued = 0
    for subject in await store.milestones.subjects_with_age_information():
        if not await wants_age_information(store.consents, subject):
            continue
        ticket = await store.desk.latest_for_subject(subject)
        if ticket is None or ticket.details is None or ticket.details.channel != "telegram":
            continue  # nowhere to send it later (a console session has no chat to reach)
        birth = birth_month_of(ticket.details.answers)
        if birth is None:
            continue
        sent = await store.milestones.sent(subject)
        milestone = next_to_send(schedule(birth, content.milestones),
                                 {s.milestone_id for s in sent}, today, _last_day(sent))
        if milestone is None or not await store.milestones.record(subject, milestone.id, now):
            continue
        await store.outbox.enqueue(
            OutboxMessage(kind=MILESTONE_KIND, ticket_id=ticket.id,
                          payload={"milestone": milestone.id}),
            now,
        )
        queued += 1
    return queued
