"""Each intake answer validated with pydantic, and the finished request as a whole.

Free text is parsed in a ``mode="before"`` validator, so ``Model.model_validate(text,
context=...)`` reads what a parent typed and ``Model.model_validate(saved_dict)`` re-checks
a saved draft with the same rules. A wrong answer raises :class:`InvalidAnswer` with a
short code; the flow turns the code into a polite message with an example.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any, Literal, TypeVar

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from flows.records import WriterRole

# Limits for the short free-text answers; the "anything else" note has its own, from content.
NAME_MAX = 60
OTHER_MAX = 200
PHONE_TIMES_MAX = 100
WRITER_NAME_MAX = 100
OLDEST_YEARS = 25  # the program covers children (and young people still in high school)
DUE_MONTHS_AHEAD = 10
DISCHARGE_DAYS_AHEAD = 366

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InvalidAnswer(ValueError):
    """Why an answer was not accepted: ``code`` picks the message, ``params`` fill it."""

    def __init__(self, code: str, **params: int | str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def normalize(text: str, *, multiline: bool = False) -> str:
    """Full-width digits and letters to plain ones, control characters out, edges trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n")
    if not multiline:
        text = " ".join(text.split())
    return _CONTROL.sub("", text).strip()


def _ctx(info: ValidationInfo, key: str) -> Any:
    context = info.context or {}
    if key not in context:
        raise RuntimeError(f"validation context needs {key!r}")
    return context[key]


M = TypeVar("M", bound=BaseModel)


def validate_answer(model: type[M], value: Any, **context: Any) -> M:
    """Validate one answer; any failure comes out as :class:`InvalidAnswer`."""
    try:
        return model.model_validate(value, context=context)
    except ValidationError as exc:
        for err in exc.errors():
            cause = (err.get("ctx") or {}).get("error")
            loc = err.get("loc") or ()
            if isinstance(cause, InvalidAnswer):
                if loc and "step" not in cause.params:
                    cause.params["step"] = str(loc[0])  # which answer of a whole request
                raise cause from None
        first = exc.errors()[0].get("loc") or ()
        if first:
            raise InvalidAnswer("unreadable", step=str(first[0])) from None
        raise InvalidAnswer("unreadable") from None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the child's age -----------------------------------------------------------------

_MONTH_NAMES = {
    name: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")]
    )
    for name in names
}

_MONTH_WORDS = r"(?:か月|ヶ月|カ月|ケ月|ヵ月|箇月|かげつ|months?|mos?|m)"
_YEAR_WORDS = r"(?:歳|才|さい|years?|yrs?|y)"
_AGE = re.compile(
    rf"^(?:生後|age\s*)?(\d{{1,2}})\s*{_YEAR_WORDS}"
    rf"\s*(?:(半)|(?:and\s*)?(\d{{1,2}})\s*{_MONTH_WORDS})?\s*(?:old)?$"
)
_MONTHS_ONLY = re.compile(rf"^(?:生後)?(\d{{1,3}})\s*{_MONTH_WORDS}\s*(?:old)?$")
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}
_ERA_MONTH = re.compile(
    r"(令和|平成|(?<![a-z])r|(?<![a-z])h)\s*(\d{1,2}|元)\s*[年./-]\s*(\d{1,2})(?!\d)"
)
_WESTERN_MONTH = re.compile(r"(?<!\d)(\d{4})\s*[年./-]\s*(\d{1,2})(?!\d)")
_EN_MONTH_YEAR = re.compile(r"\b([a-z]+)\.?,?\s+(\d{4})\b")


def _year_month(text: str) -> tuple[int, int] | None:
    # Searched, not matched: "2023年4月生まれ", "出産予定は2027年3月", "born in April 2023".
    if match := _ERA_MONTH.search(text):
        era, year, month = match.groups()
        return _ERAS[era] + (1 if year == "元" else int(year)), int(month)
    if match := _WESTERN_MONTH.search(text):
        return int(match.group(1)), int(match.group(2))
    if (match := _EN_MONTH_YEAR.search(text)) and match.group(1) in _MONTH_NAMES:
        return int(match.group(2)), _MONTH_NAMES[match.group(1)]
    return None


def _months_between(start: tuple[int, int], end: tuple[int, int]) -> int:
    return (end[0] - start[0]) * 12 + (end[1] - start[1])


def parse_age(raw: str, today: date) -> dict[str, Any]:
    text = normalize(raw).lower()
    if match := _AGE.match(text):
        years, half, months = match.groups()
        return {"kind": "age", "years": int(years), "months": 6 if half else int(months or 0)}
    if match := _MONTHS_ONLY.match(text):
        total = int(match.group(1))
        return {"kind": "age", "years": total // 12, "months": total % 12}
    if text.isdigit() and len(text) <= 2:
        return {"kind": "age", "years": int(text), "months": 0}
    found = _year_month(text)
    if found is None:
        raise InvalidAnswer("unreadable")
    year, month = found
    if not 1 <= month <= 12:
        raise InvalidAnswer("unreadable")
    ahead = _months_between((today.year, today.month), (year, month))
    kind = "due" if ahead > 0 else "born"
    return {"kind": kind, "month": f"{year:04d}-{month:02d}"}


class ChildAge(_Answer):
    """Years and months, or the month of birth, or (before birth) the month it is due."""

    kind: Literal["age", "born", "due"]
    years: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0, le=11)
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return parse_age(value, _ctx(info, "today"))
        return value

    @model_validator(mode="after")
    def _plausible(self, info: ValidationInfo) -> ChildAge:
        if self.kind == "age":
            if self.years is None or self.months is None or self.month is not None:
                raise InvalidAnswer("unreadable")
            if self.years > OLDEST_YEARS:
                raise InvalidAnswer("too_old", years=OLDEST_YEARS)
            return self
        if self.month is None or self.years is not None:
            raise InvalidAnswer("unreadable")
        today: date | None = (info.context or {}).get("today")
        if today is not None:
            year, month = (int(p) for p in self.month.split("-"))
            ahead = _months_between((today.year, today.month), (year, month))
            if self.kind == "due" and not 0 < ahead <= DUE_MONTHS_AHEAD:
                raise InvalidAnswer("due_too_far", months=DUE_MONTHS_AHEAD)
            if self.kind == "born" and (ahead > 0 or -ahead > OLDEST_YEARS * 12):
                raise InvalidAnswer("too_old", years=OLDEST_YEARS)
        return self


# A month of birth may differ this much from the age given in years and months (a parent
# rounding "1 year 11 months" to "2 years", or the month just turned).
BIRTH_MONTH_SLACK = 2


def parse_birth_month(raw: str) -> str:
    found = _year_month(normalize(raw).lower())
    if found is None or not 1 <= found[1] <= 12:
        raise InvalidAnswer("unreadable")
    return f"{found[0]:04d}-{found[1]:02d}"


class BirthMonth(_Answer):
    """The month the child was born, asked after an age in years and months so that the
    information for the child's age can follow the school year. ``age`` in the context (the
    answer before) must agree with it."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"month": parse_birth_month(value)}
        return value

    @model_validator(mode="after")
    def _plausible(self, info: ValidationInfo) -> BirthMonth:
        context = info.context or {}
        today: date | None = context.get("today")
        if today is None:
            return self
        year, month = (int(p) for p in self.month.split("-"))
        months_old = _months_between((year, month), (today.year, today.month))
        if months_old < 0:
            raise InvalidAnswer("birth_future")
        if months_old > OLDEST_YEARS * 12:
            raise InvalidAnswer("too_old", years=OLDEST_YEARS)
        age = context.get("age")
        if isinstance(age, dict) and age.get("kind") == "age":
            given = int(age.get("years") or 0) * 12 + int(age.get("months") or 0)
            if abs(given - months_old) > BIRTH_MONTH_SLACK:
                raise InvalidAnswer("birth_mismatch")
        return self


# --- the expected discharge date -------------------------------------------------------

_FULL_DATE = re.compile(r"^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?")
_ERA_DATE = re.compile(r"^(令和|r)\s*(\d{1,2}|元)\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/]\s*(\d{1,2})\s*日?")
_EN_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_EN_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?$")
_RELATIVE = {"今日": 0, "きょう": 0, "today": 0, "明日": 1, "あした": 1, "tomorrow": 1}


# A date without a year that passed this recently is more likely a slip than next year's.
_RECENTLY_PASSED = timedelta(days=90)


def _upcoming(today: date, month: int, day: int) -> date:
    """A date given without a year: this year's, or next year's if this year's is long past."""
    candidate = date(today.year, month, day)
    if candidate >= today or today - candidate <= _RECENTLY_PASSED:
        return candidate
    return date(today.year + 1, month, day)


def parse_day(raw: str, today: date) -> date:
    text = normalize(raw).lower()
    try:
        if text in _RELATIVE:
            return today + timedelta(days=_RELATIVE[text])
        if match := _FULL_DATE.match(text):
            return date(*(int(p) for p in match.groups()))
        if match := _ERA_DATE.match(text):
            era, year, month, day = match.groups()
            return date(_ERAS[era] + (1 if year == "元" else int(year)), int(month), int(day))
        if match := _MONTH_DAY.match(text):
            return _upcoming(today, int(match.group(1)), int(match.group(2)))
        for pattern, month_at, day_at in ((_EN_MONTH_FIRST, 1, 2), (_EN_DAY_FIRST, 2, 1)):
            if (match := pattern.match(text)) and match.group(month_at) in _MONTH_NAMES:
                month, day = _MONTH_NAMES[match.group(month_at)], int(match.group(day_at))
                if match.group(3):
                    return date(int(match.group(3)), month, day)
                return _upcoming(today, month, day)
    except ValueError:
        pass  # 2月30日 and the like
    raise InvalidAnswer("unreadable")


class Discharge(_Answer):
    """The expected discharge date, or that it is not decided yet."""

    day: date | None = None
    undecided: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return {"day": parse_day(value, _ctx(info, "today"))}
        return value

    @model_validator(mode="after")
    def _plausible(self, info: ValidationInfo) -> Discharge:
        if (self.day is None) != self.undecided:
            raise InvalidAnswer("unreadable")
        today: date | None = (info.context or {}).get("today")
        if self.day is not None and today is not None:
            if self.day < today:
                raise InvalidAnswer("past")
            if self.day > today + timedelta(days=DISCHARGE_DAYS_AHEAD):
                raise InvalidAnswer("too_far")
        return self


# --- phone, names and free text ---------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-‐−–ー()]")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9]+")
# The coordinators call families in Japan: numbers are read, and must be valid, as there.
PHONE_REGION = "JP"


class Phone(_Answer):
    """A Japanese phone number, landline or mobile, as the parent wrote it."""

    number: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"number": normalize(value)}
        return value

    @model_validator(mode="after")
    def _shape(self) -> Phone:
        # Separators (also the long-vowel mark typed for a dash) go first, so that only a
        # number is left for phonenumbers to judge: no words, extensions or notes after it.
        digits = _PHONE_SEPARATORS.sub("", self.number)
        if len(self.number) > 20 or not _PHONE_CHARACTERS.fullmatch(digits):
            raise InvalidAnswer("phone")
        # Google's numbering plan knows which Japanese numbers exist (03-…, 090-…, 0120-…,
        # +81 …); a foreign number, or one of the right length that no one can have, is refused.
        try:
            number = phonenumbers.parse(digits, PHONE_REGION)
        except phonenumbers.NumberParseException:
            raise InvalidAnswer("phone") from None
        if not phonenumbers.is_valid_number_for_region(number, PHONE_REGION):
            raise InvalidAnswer("phone")
        return self


class FreeText(_Answer):
    """Words in the parent's own language, bounded by ``limit`` from the context."""

    text: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            multiline = bool((info.context or {}).get("multiline"))
            return {"text": normalize(value, multiline=multiline)}
        return value

    @model_validator(mode="after")
    def _bounded(self, info: ValidationInfo) -> FreeText:
        limit: int = (info.context or {}).get("limit", OTHER_MAX)
        if not self.text:
            raise InvalidAnswer("empty")
        if len(self.text) > limit:
            raise InvalidAnswer("too_long", count=len(self.text), limit=limit)
        return self


class PersonName(_Answer):
    text: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"text": normalize(value)}
        return value

    @model_validator(mode="after")
    def _looks_like_a_name(self) -> PersonName:
        if len(self.text) > NAME_MAX:
            raise InvalidAnswer("too_long", count=len(self.text), limit=NAME_MAX)
        if not any(c.isalpha() for c in self.text) or "://" in self.text:
            raise InvalidAnswer("name")
        return self


# --- the finished request ------------------------------------------------------------

Residence = Literal["chiyoda", "moving_in"]
Situation = Literal["hospital", "home", "other"]
HomeSupport = Literal["some", "none", "unsure"]
ContactWay = Literal["chat", "phone", "visit"]


class IntakeAnswers(_Answer):
    """Everything a ticket carries, checked together before it is created."""

    writer: WriterRole
    residence: Residence
    age: ChildAge
    birth_month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    care: list[str] = Field(min_length=1)
    care_other: str | None = None
    situation: Situation
    discharge: Discharge | None = None
    support: HomeSupport | None = None
    situation_other: str | None = None
    needs: list[str] = Field(min_length=1)
    needs_other: str | None = None
    note: str | None = None
    contact: ContactWay
    phone: str | None = None
    phone_times: str | None = None
    name: str
    writer_name: str | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> IntakeAnswers:
        context = info.context or {}
        care_ids: set[str] | None = context.get("care_ids")
        help_ids: set[str] | None = context.get("help_ids")
        if care_ids is not None and not set(self.care) <= care_ids:
            raise InvalidAnswer("missing", step="care")
        if help_ids is not None and not set(self.needs) <= help_ids:
            raise InvalidAnswer("missing", step="needs")
        required = {
            "discharge": self.situation == "hospital" and self.discharge is None,
            "support": self.situation == "home" and self.support is None,
            "situation_other": self.situation == "other" and not self.situation_other,
            "phone": self.contact == "phone" and not self.phone,
            "writer_name": self.writer != "guardian" and not self.writer_name,
        }
        for step, missing in required.items():
            if missing:
                raise InvalidAnswer("missing", step=step)
        return self
