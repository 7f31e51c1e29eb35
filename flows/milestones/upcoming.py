"""The next stage-of-growth message for a family's child, for the coordinators' /families.

The schedule is the one the families receive (flows/milestones/schedule.py), read from the
content in force, so a staff edit of milestones.yaml shows at once.
"""

from __future__ import annotations

from datetime import datetime

from content.base import Locale, in_tokyo
from flows.milestones.schedule import birth_month_of, next_milestone
from flows.ports import NextMilestone
from flows.records import DeskTicket, UpcomingMilestone
from flows.turn import ContentSource


class MilestoneSchedule(NextMilestone):
    def __init__(self, content: ContentSource) -> None:
        self._content = content

    def next_for(
        self, ticket: DeskTicket, now: datetime, locale: Locale
    ) -> UpcomingMilestone | None:
        if ticket.details is None:
            return None
        birth = birth_month_of(ticket.details.answers)
        if birth is None:
            return None
        found = next_milestone(birth, in_tokyo(now).date(), self._content.current().milestones)
        if found is None:
            return None
        return UpcomingMilestone(day=found.day, title=found.milestone.title.get(locale))
