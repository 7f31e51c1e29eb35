"""Dates as parents read them: Japanese format, Tokyo time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime

from flows.model import Locale

TOKYO = ZoneInfo("Asia/Tokyo")


def in_tokyo(moment: datetime) -> datetime:
    return moment.astimezone(TOKYO)


def format_day(day: date, locale: Locale) -> str:
    """2026年11月24日(火) / Tue, Nov 24, 2026."""
    if locale == "ja":
        return _babel_date(day, "y年M月d日(E)", locale="ja")
    return _babel_date(day, "EEE, MMM d, y", locale="en")


def format_moment(moment: datetime, locale: Locale) -> str:
    """2026年11月24日(火) 9:00 / Tue, Nov 24, 2026, 9:00 AM — always in Tokyo time."""
    local = in_tokyo(moment)
    if locale == "ja":
        return _babel_datetime(local, "y年M月d日(E) H:mm", tzinfo=TOKYO, locale="ja")
    return _babel_datetime(local, "EEE, MMM d, y, h:mm a", tzinfo=TOKYO, locale="en")
