"""Each intake answer is validated with pydantic: what parents type, and what is refused."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from content.i18n import CatalogTranslations
from flows.intake import prompts
from flows.intake.answers import (
    ChildAge,
    Discharge,
    FreeText,
    IntakeAnswers,
    InvalidAnswer,
    PersonName,
    Phone,
    normalize,
    validate_answer,
)
from flows.text import Html

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2歳3か月", {"kind": "age", "years": 2, "months": 3}),
        ("２歳３ヶ月", {"kind": "age", "years": 2, "months": 3}),  # full-width digits
        ("1歳半", {"kind": "age", "years": 1, "months": 6}),
        ("生後8か月", {"kind": "age", "years": 0, "months": 8}),
        ("18ヶ月", {"kind": "age", "years": 1, "months": 6}),
        ("3", {"kind": "age", "years": 3, "months": 0}),
        ("2 years 3 months", {"kind": "age", "years": 2, "months": 3}),
        ("2 years and 3 months old", {"kind": "age", "years": 2, "months": 3}),
        ("8 months", {"kind": "age", "years": 0, "months": 8}),
        ("2y3m", {"kind": "age", "years": 2, "months": 3}),
        ("2023年4月生まれ", {"kind": "born", "month": "2023-04"}),
        ("令和5年4月", {"kind": "born", "month": "2023-04"}),
        ("R5.4", {"kind": "born", "month": "2023-04"}),
        ("born in April 2023", {"kind": "born", "month": "2023-04"}),
        ("2024-08", {"kind": "born", "month": "2024-08"}),
        ("出産予定は2027年3月", {"kind": "due", "month": "2027-03"}),
        ("due March 2027", {"kind": "due", "month": "2027-03"}),
    ],
)
def test_ages_as_parents_type_them(typed: str, expected: dict[str, object]) -> None:
    age = validate_answer(ChildAge, typed, today=TODAY)
    assert age.model_dump(exclude_none=True) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("にさい", "unreadable"),
        ("two", "unreadable"),
        ("2026-13", "unreadable"),
        ("99歳", "too_old"),
        ("1990年4月", "too_old"),
        ("2028年1月", "due_too_far"),
        ("2歳13か月", "unreadable"),
    ],
)
def test_ages_that_are_refused(typed: str, code: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(ChildAge, typed, today=TODAY)
    assert caught.value.code == code


def test_a_saved_age_is_checked_with_the_same_rules() -> None:
    assert validate_answer(ChildAge, {"kind": "age", "years": 2, "months": 3}).years == 2
    with pytest.raises(InvalidAnswer):
        validate_answer(ChildAge, {"kind": "age", "years": 2, "months": 12})
    with pytest.raises(InvalidAnswer):  # a due month that has come and gone
        validate_answer(ChildAge, {"kind": "due", "month": "2026-10"}, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026/12/1", date(2026, 12, 1)),
        ("2026-12-01", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("令和8年12月1日", date(2026, 12, 1)),
        ("12月1日", date(2026, 12, 1)),
        ("１２／１", date(2026, 12, 1)),
        ("2/14", date(2027, 2, 14)),  # without a year: the next one
        ("Dec 1", date(2026, 12, 1)),
        ("1 December 2026", date(2026, 12, 1)),
        ("December 1st", date(2026, 12, 1)),
        ("today", TODAY),
        ("明日", date(2026, 11, 25)),
    ],
)
def test_discharge_dates(typed: str, expected: date) -> None:
    assert validate_answer(Discharge, typed, today=TODAY).day == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("来月ぐらい", "unreadable"),
        ("2026/2/30", "unreadable"),
        ("2026-11-01", "past"),
        ("11/1", "past"),  # passed three weeks ago: a slip, not next November
        ("2028-01-01", "too_far"),
    ],
)
def test_discharge_dates_that_are_refused(typed: str, code: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(Discharge, typed, today=TODAY)
    assert caught.value.code == code


@pytest.mark.parametrize("typed", ["03-1234-5678", "090-1234-5678", "０９０１２３４５６７８",
                                   "+81 90 1234 5678", "(03) 1234-5678"])
def test_phone_numbers(typed: str) -> None:
    assert validate_answer(Phone, typed).number


@pytest.mark.parametrize("typed", ["123", "abc", "03-1234", "1-800-555-0199", "0" * 30])
def test_phone_numbers_that_are_refused(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(Phone, typed)
    assert caught.value.code == "phone"


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("landline, Tokyo", "03-3264-2111"),
        ("landline, four-digit area code", "0422-12-3456"),
        ("landline, five-digit area code", "04992-1-2345"),
        ("landline in brackets", "(0422) 12-3456"),
        ("mobile", "080-2468-1357"),
        ("mobile, no separators", "07012345678"),
        ("mobile, spaces", "090 1234 5678"),
        ("mobile, long-vowel mark for a dash", "090ー1234ー5678"),
        ("toll free", "0120-123-456"),
        ("IP phone", "050-1234-5678"),
        ("+81, landline", "+81-3-3264-2111"),
        ("+81, mobile without spaces", "+819012345678"),
        ("full-width landline", "０３－３２６４－２１１１"),
        ("full-width +81", "＋８１ ９０ １２３４ ５６７８"),
        ("full-width spaces", "０９０　１２３４　５６７８"),
    ],
)
def test_japanese_phone_numbers_are_accepted_as_typed(kind: str, typed: str) -> None:
    # Kept as the parent wrote it (full-width made plain): the coordinator reads it back.
    assert validate_answer(Phone, typed).number == normalize(typed), kind


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("no area code", "1234-5678"),
        ("a digit short", "090-1234-567"),
        ("a digit too many", "090-1234-56789"),
        ("right length, no such number", "0300000000"),
        ("right length, no such mobile", "010-1234-5678"),
        ("abroad, US", "+1 800 555 0199"),
        ("abroad, UK", "+44 20 7946 0958"),
        ("with an extension", "03-3264-2111 内線12"),
        ("with words", "090-1234-5678 after 6 pm"),
        ("letters for digits", "O90-1234-5678"),
        ("two plus signs", "++81 90 1234 5678"),
        ("empty", " "),
    ],
)
def test_phone_numbers_that_cannot_be_called_in_japan_are_refused(kind: str, typed: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(Phone, typed)
    assert caught.value.code == "phone", kind


@pytest.mark.parametrize(("locale", "expected"), [
    ("ja", "日本の電話番号として読み取れませんでした。"),
    ("en", "That does not look like a phone number in Japan. Please type it like"
           " “03-1234-5678” or “090-1234-5678”."),
])
def test_a_refused_phone_number_hears_the_same_polite_example(locale: str,
                                                               expected: str) -> None:
    t = CatalogTranslations().for_locale("ja" if locale == "ja" else "en")
    turn = SimpleNamespace(_=lambda message: Html(t.gettext(message)))
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(Phone, "+44 20 7946 0958")
    text = prompts.mistake(turn, "phone", caught.value)  # type: ignore[arg-type]
    assert expected in text and "03-1234-5678" in text and "090-1234-5678" in text



def test_names_and_free_text_are_bounded_and_cleaned() -> None:
    assert validate_answer(PersonName, "  千代田　花子 ").text == "千代田 花子"
    for bad, code in (("12345", "name"), ("http://x.example", "name"), ("あ" * 61, "too_long")):
        with pytest.raises(InvalidAnswer) as caught:
            validate_answer(PersonName, bad)
        assert caught.value.code == code
    note = validate_answer(FreeText, "一行目\r\n二行目\x07", limit=100, multiline=True)
    assert note.text == "一行目\n二行目"
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(FreeText, "x" * 5000, limit=1000, multiline=True)
    assert caught.value.params == {"count": 5000, "limit": 1000}
    with pytest.raises(InvalidAnswer):
        validate_answer(FreeText, "   ", limit=100)


def _complete(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "writer": "guardian", "residence": "chiyoda", "age": {"kind": "age", "years": 2,
                                                               "months": 3},
        "care": ["vent"], "situation": "home", "support": "none", "needs": ["talk"],
        "contact": "chat", "name": "千代田 花子",
    }
    answers.update(changes)
    return answers


def test_the_whole_request_is_checked_together() -> None:
    assert validate_answer(IntakeAnswers, _complete()).name == "千代田 花子"
    cases = [
        (_complete(situation="hospital", support=None), "discharge"),
        (_complete(contact="phone"), "phone"),
        (_complete(writer="professional"), "writer_name"),
        (_complete(support=None), "support"),
        (_complete(care=["unknown"]), "care"),
        (_complete(age={"kind": "due", "month": "2026-10"}), "age"),
        (_complete(situation="hospital", discharge={"day": "2026-11-01"}), "discharge"),
    ]
    for answers, step in cases:
        with pytest.raises(InvalidAnswer) as caught:
            validate_answer(IntakeAnswers, answers, care_ids={"vent"}, help_ids={"talk"},
                            today=TODAY)
        assert caught.value.params.get("step") == step, answers
    with pytest.raises(InvalidAnswer):
        validate_answer(IntakeAnswers, _complete(residence="elsewhere"))
