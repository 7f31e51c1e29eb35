"""When each milestone falls for a child born in a given month, and which one to send today.

Pure date arithmetic on the birth month (the day is never asked). The Japanese school year
runs from 2 April to 1 April, so the class a child is in depends on the age on 1 April: a
child born in January to March starts school in the April of the year they turn 6, one born
in April to December a year later. A child born on 1 April belongs to the earlier class;
with the month only, April counts with the later one, as nearly all April births do.

Sending rules (``next_to_send``), so that a family that agreed late is not flooded:

- each milestone once;
- only while it is recent: due at most ``GRACE_DAYS`` days ago (an older one is skipped);
- at most one message a day, the earliest due first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from content.milestone_models import Due, Milestone
from flows.business_hours import is_business_day

# A milestone due longer ago than this is not sent any more (a family that agreed late).
GRACE_DAYS = 30
# The school year starts in April.
SCHOOL_YEAR_MONTH = 4

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """``2024-05``; a ValueError for anything else (``2024-13``, ``2024-5``)."""
        match = _YEAR_MONTH.match(text.strip())
        if match is None:
            raise ValueError(text)
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or year < 1900:
            raise ValueError(text)
        return cls(year, month)

    def plus(self, months: int) -> YearMonth:
        index = self.year * 12 + (self.month - 1) + months
        return YearMonth(index // 12, index % 12 + 1)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Scheduled:
    """A milestone on the day it falls (or, in a preview, the day it would be sent)."""

    day: date
    milestone: Milestone


def april_at_age(birth: YearMonth, age: int) -> YearMonth:
    """The April that starts the school year in which the child is ``age`` on 1 April."""
    later_class = 1 if birth.month >= SCHOOL_YEAR_MONTH else 0
    return YearMonth(birth.year + age + later_class, SCHOOL_YEAR_MONTH)


def due_month(birth: YearMonth, due: Due) -> YearMonth:
    if due.age_months is not None:
        return birth.plus(due.age_months)
    assert due.april_at_age is not None  # the model allows only one of the two
    return april_at_age(birth, due.april_at_age).plus(-due.months_before)


def schedule(birth: YearMonth, milestones: Iterable[Milestone]) -> list[Scheduled]:
    """Every milestone on its due day (the first of its month), in date order; for equal
    days, in the order of the file."""
    items = [Scheduled(due_month(birth, m.due).first_day(), m) for m in milestones]
    return sorted(items, key=lambda item: item.day)


def next_to_send(
    items: Sequence[Scheduled], sent: set[str], today: date, last_sent: date | None
) -> Milestone | None:
    """The milestone to send today, if any (see the module's rules)."""
    if last_sent is not None and last_sent >= today:
        return None
    for item in items:
        if item.day > today:
            return None
        if item.milestone.id not in sent and (today - item.day).days <= GRACE_DAYS:
            return item.milestone
    return None


def next_milestone(birth: YearMonth, today: date,
                   milestones: Iterable[Milestone]) -> Scheduled | None:
    """The next milestone falling today or later for a child born in ``birth``."""
    return next((item for item in schedule(birth, milestones) if item.day >= today), None)


def preview(birth: YearMonth, milestones: Iterable[Milestone]) -> list[Scheduled]:
    """What a family that agreed at the birth would receive, each on the business day it
    would be sent: the sending rules run on every business day from the first due day."""
    items = schedule(birth, milestones)
    if not items:
        return []
    sent: set[str] = set()
    last: date | None = None
    result: list[Scheduled] = []
    day, end = items[0].day, items[-1].day + timedelta(days=GRACE_DAYS)
    while day <= end:
        if is_business_day(day):
            milestone = next_to_send(items, sent, day, last)
            if milestone is not None:
                result.append(Scheduled(day, milestone))
                sent.add(milestone.id)
                last = day
        day += timedelta(days=1)
    return result


def birth_month_of(answers: dict[str, Any]) -> YearMonth | None:
    """The child's birth month from a request's answers: the month of birth (or the month
    due, before birth) given as the age, else the birth month asked after an age in years."""
    age = answers.get("age")
    candidates: list[object] = []
    if isinstance(age, dict) and age.get("kind") in ("born", "due"):
        candidates.append(age.get("month"))
    candidates.append(answers.get("birth_month"))
    for value in candidates:
        if isinstance(value, str):
            try:
                return YearMonth.parse(value)
            except ValueError:
                continue
    return None
