"""When the coordinators' desk answers, in Tokyo time.

Open on weekdays between the hours in ``routing.yaml`` (09:00–17:00 unless staff change
them); closed on Japanese public holidays (from the maintained ``jpholiday`` list, which
includes substitute and citizens' holidays) and over the ward offices' New Year break,
29 December to 3 January.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import jpholiday

from content.base import TOKYO, in_tokyo
from content.intake_models import DeskHours

# 12/29–1/3: the usual closing days of Japanese public offices (行政機関の休日).
_NEW_YEAR_BREAK = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})
# No desk is closed for longer than this; a bound keeps a misconfiguration from looping.
_SEARCH_DAYS = 60


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in _NEW_YEAR_BREAK:
        return False
    return not jpholiday.is_holiday(day)


def is_open(moment: datetime, hours: DeskHours) -> bool:
    local = in_tokyo(moment)
    if not is_business_day(local.date()):
        return False
    return hours.opening_time <= local.time().replace(tzinfo=None) < hours.closing_time


def next_opening(moment: datetime, hours: DeskHours) -> datetime:
    """When the desk next opens after ``moment`` (``moment`` itself if it is open then)."""
    if is_open(moment, hours):
        return moment
    local = in_tokyo(moment)
    day = local.date()
    if local.time().replace(tzinfo=None) >= hours.opening_time:
        day += timedelta(days=1)  # today's opening has passed
    for _ in range(_SEARCH_DAYS):
        if is_business_day(day):
            return _at(day, hours.opening_time)
        day += timedelta(days=1)
    raise RuntimeError(f"no business day within {_SEARCH_DAYS} days of {day}")


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=TOKYO)
