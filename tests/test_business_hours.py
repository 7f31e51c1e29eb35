"""The desk's business days and hours: weekdays, Japanese public holidays, the New Year break."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from content.base import TOKYO
from content.intake_models import DeskHours
from flows.business_hours import is_business_day, is_open, next_opening

HOURS = DeskHours()


def tokyo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 11, 24), True),  # Tuesday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 11, 23), False),  # 勤労感謝の日
        (date(2026, 5, 6), False),  # 振替休日 (5/3 fell on a Sunday)
        (date(2026, 9, 22), False),  # 国民の休日 between two holidays
        (date(2026, 12, 28), True),  # last working day of the year
        (date(2026, 12, 29), False),  # New Year break starts
        (date(2027, 1, 1), False),
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),  # first working day
        (date(2027, 1, 11), False),  # 成人の日
    ],
)
def test_business_days(day: date, open_: bool) -> None:
    assert is_business_day(day) is open_


def test_open_only_between_the_hours_in_tokyo_time() -> None:
    assert is_open(tokyo(2026, 11, 24, 9, 0), HOURS)
    assert is_open(tokyo(2026, 11, 24, 16, 59), HOURS)
    assert not is_open(tokyo(2026, 11, 24, 8, 59), HOURS)
    assert not is_open(tokyo(2026, 11, 24, 17, 0), HOURS)
    # 00:30 UTC is 09:30 in Tokyo; 23:00 UTC on Monday is 08:00 on Tuesday in Tokyo.
    assert is_open(datetime(2026, 11, 24, 0, 30, tzinfo=UTC), HOURS)
    assert not is_open(datetime(2026, 11, 23, 23, 0, tzinfo=UTC), HOURS)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (tokyo(2026, 11, 24, 10, 0), tokyo(2026, 11, 24, 10, 0)),  # open now
        (tokyo(2026, 11, 24, 7, 30), tokyo(2026, 11, 24, 9, 0)),  # early morning
        (tokyo(2026, 11, 24, 17, 0), tokyo(2026, 11, 25, 9, 0)),  # just closed
        (tokyo(2026, 11, 27, 18, 0), tokyo(2026, 11, 30, 9, 0)),  # Friday evening → Monday
        (tokyo(2026, 11, 21, 12, 0), tokyo(2026, 11, 24, 9, 0)),  # Saturday before a holiday
        (tokyo(2026, 12, 28, 17, 30), tokyo(2027, 1, 4, 9, 0)),  # New Year break
        (tokyo(2026, 9, 19, 9, 0), tokyo(2026, 9, 24, 9, 0)),  # Silver Week
    ],
)
def test_next_opening(moment: datetime, expected: datetime) -> None:
    assert next_opening(moment, HOURS) == expected


def test_hours_come_from_the_content() -> None:
    hours = DeskHours(opens="08:30", closes="17:15")
    assert is_open(tokyo(2026, 11, 24, 8, 30), hours)
    assert is_open(tokyo(2026, 11, 24, 17, 10), hours)
    assert next_opening(tokyo(2026, 11, 24, 8, 0), hours) == tokyo(2026, 11, 24, 8, 30)


def test_malformed_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        DeskHours(opens="9am")
    with pytest.raises(ValueError):
        DeskHours(opens="18:00", closes="09:00")
