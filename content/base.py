"""What every layer speaks: the two languages, marking strings for the catalogs, Tokyo time.

It sits below flows/ and the rest of content/ and imports neither, so both can use it
without importing each other (tests/test_architecture.py holds the direction).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime

Locale = Literal["ja", "en"]
LOCALES: tuple[Locale, ...] = ("ja", "en")


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it yet (e.g. command descriptions)."""
    return message


class Translator(Protocol):
    """One language's catalog (content/i18n.py loads them)."""

    locale: Locale

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


# --- Dates as parents read them: Japanese format, Tokyo time ----------------------------

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
