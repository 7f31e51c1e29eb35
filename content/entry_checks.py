"""Checks of one FAQ entry against the rest of the content.

Shared by the loader (which turns a finding into ``file:line``) and the
spreadsheet import (which turns it into a row number), so a problem reads the
same wherever staff edited the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from content.base import N_, TOKYO, Locale
from content.models import TITLE_MAX, TO_FILL, FaqEntry
from content.problems import Severity

UNKNOWN_CATEGORY = N_("{id}: unknown category '{category}' (not in categories.yaml)")
UNKNOWN_SEE_ALSO = N_("{id}: see_also names '{target}', which is not an entry id")
UNKNOWN_OWNER = N_("{id}: owner_office '{office}' is not an office id in offices.yaml")
REVIEW_DATES_ORDER = N_("{id}: review_by {review_by} is before last_reviewed {last_reviewed}")
DUE_FOR_REVIEW = N_("{id}: due for review (review by {review_by})")
NOT_REVIEWED_NOTE = N_("{id}: not reviewed yet — {note}")
NO_TITLE = N_("{id}: no title yet — its button shows the question cut short; add a short"
              " title (at most {max} characters)")
TITLE_TOO_LONG = N_("{id}: the title is {count} characters; a button shows at most {max}")
NOT_REVIEWED = N_("{id}: not reviewed yet — the answer still needs a Chiyoda-specific detail")


@dataclass(frozen=True)
class Finding:
    severity: Severity
    # The field of the entry the finding is about, so the loader can point at its line.
    about: str
    msgid: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class EntryContext:
    """What an entry may refer to, and the day review dates are measured against."""

    category_ids: frozenset[str]
    entry_ids: frozenset[str]
    # None when offices.yaml could not be read: owner_office is then not checked.
    office_ids: frozenset[str] | None
    today: date
    # The file's language, which sets how long a title may be.
    locale: Locale = "ja"


def tokyo_today() -> date:
    # Review dates are ward office dates: a day starts at midnight in Tokyo, not UTC.
    return datetime.now(TOKYO).date()


def check_entry(entry: FaqEntry, ctx: EntryContext) -> list[Finding]:
    found: list[Finding] = []

    def add(severity: Severity, on: str, msgid: str, **params: object) -> None:
        found.append(Finding(severity, on, msgid, {"id": entry.id, **params}))

    limit = TITLE_MAX[ctx.locale]
    if entry.title is None:
        add("warning", "question", NO_TITLE, max=limit)
    elif len(entry.title) > limit:
        add("error", "title", TITLE_TOO_LONG, count=len(entry.title), max=limit)
    if entry.category not in ctx.category_ids:
        add("error", "category", UNKNOWN_CATEGORY, category=entry.category)
    for target in entry.see_also:
        if target not in ctx.entry_ids:
            add("error", "see_also", UNKNOWN_SEE_ALSO, target=target)
    if (
        entry.owner_office is not None
        and ctx.office_ids is not None
        and entry.owner_office not in ctx.office_ids
    ):
        add("error", "owner_office", UNKNOWN_OWNER, office=entry.owner_office)
    if entry.review_by is not None and entry.last_reviewed is not None:
        if entry.review_by < entry.last_reviewed:
            add(
                "error",
                "review_by",
                REVIEW_DATES_ORDER,
                review_by=entry.review_by.isoformat(),
                last_reviewed=entry.last_reviewed.isoformat(),
            )
    # Due on the review_by day itself: "review by 2026-04-01" is a deadline.
    if entry.review_by is not None and entry.review_by <= ctx.today:
        add("warning", "review_by", DUE_FOR_REVIEW, review_by=entry.review_by.isoformat())
    if not entry.reviewed or TO_FILL in entry.answer:
        if entry.staff_note:
            add("warning", "id", NOT_REVIEWED_NOTE, note=entry.staff_note)
        else:
            add("warning", "id", NOT_REVIEWED)
    return found
