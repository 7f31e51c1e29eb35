"""The coordinators' group and the council report band a child's age the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.report import AGE_LABELS
from content.i18n import CatalogTranslations
from flows.age_bands import LABELS, NOT_RECORDED, age_band
from flows.desk.views import age_label
from flows.records import DeskTicket, TicketDetails
from tests.fakes import tg

CREATED = datetime(2026, 4, 10, 1, 0, tzinfo=UTC)


def _ticket(age: object, *, details: bool = True) -> DeskTicket:
    answers = {} if age is None else {"age": age}
    return DeskTicket(
        id=1, reference="K-0001", created_at=CREATED, status="new", office="o",
        priority="normal", waiting_since=CREATED,
        details=TicketDetails(subject="s", channel="telegram", chat_id=tg(1), locale="ja",
                              answers=answers) if details else None,
    )


@pytest.mark.parametrize("age", [
    {"kind": "due", "month": "2026-08"},
    {"kind": "age", "years": 0, "months": 5},
    {"kind": "age", "years": 2, "months": 11},
    {"kind": "born", "month": "2022-01"},
    {"kind": "age", "years": 6, "months": 0},
    {"kind": "age", "years": 13, "months": 0},
    {"kind": "age", "years": 17, "months": 11},
    {"kind": "age", "years": 19, "months": 0},
])
@pytest.mark.parametrize("locale", ["ja", "en"])
def test_the_group_card_shows_the_reports_band(age: dict[str, object], locale: str) -> None:
    t = CatalogTranslations().for_locale("ja" if locale == "ja" else "en")
    band = age_band(age, CREATED)
    assert band in LABELS
    assert age_label(_ticket(age), t) == t.gettext(AGE_LABELS[band])


def test_a_birth_month_is_banded_on_the_day_of_the_request() -> None:
    # One year old in April 2026, whenever the card is drawn again.
    assert age_band({"kind": "born", "month": "2025-04"}, CREATED) == "1-2"
    assert age_band({"kind": "born", "month": "2025-05"}, CREATED) == "0"


def test_without_an_age_the_card_has_no_band_and_the_report_says_not_recorded() -> None:
    t = CatalogTranslations().for_locale("en")
    for ticket in (_ticket(None), _ticket(None, details=False),
                   _ticket({"kind": "born", "month": "spring"})):
        assert age_label(ticket, t) is None
    assert age_band({"kind": "born", "month": "spring"}, CREATED) == NOT_RECORDED
    assert list(AGE_LABELS)[-1] == NOT_RECORDED
