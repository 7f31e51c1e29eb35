"""Answers as a parent reads them back: in the summary, in /mydata and on the ticket.

Everything a person typed goes in as text (flows/text.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from content.base import Locale, format_day
from flows.intake.steps import BY_ID, CHOICES, WRITER_TITLES, Answers, applicable
from flows.text import Html, esc, markup
from flows.turn import Turn


def month_label(month: str, locale: Locale) -> str:
    """``2024-08`` → 2024年8月 / August 2024."""
    year, number = (int(p) for p in month.split("-"))
    pattern = "y年M月" if locale == "ja" else "MMMM y"
    return format_date(date(year, number, 1), pattern, locale=locale)


def describe_age(turn: Turn, age: dict[str, Any]) -> str:
    t = turn.t
    kind = age.get("kind")
    if kind == "age":
        years, months = int(age.get("years", 0)), int(age.get("months", 0))
        parts = []
        if years:
            parts.append(t.ngettext("{n} year", "{n} years", years).format(n=years))
        if months or not years:
            parts.append(t.ngettext("{n} month", "{n} months", months).format(n=months))
        return " ".join(parts)
    month = month_label(str(age.get("month")), turn.locale)
    if kind == "due":
        return turn._("not born yet, due in {month}").format(month=month)
    return turn._("born in {month}").format(month=month)


def _options(turn: Turn, step_id: str, ids: list[str]) -> Html:
    intake = turn.content.intake
    labels = []
    for option in ids:
        label = None
        if intake is not None:
            label = (intake.care_label if step_id == "care" else intake.help_label)(
                option, turn.locale
            )
        labels.append(label or option)  # an option staff removed since: show its id
    return turn._(", ").join(esc(label) for label in labels)


def describe(turn: Turn, step_id: str, answers: Answers) -> Html:
    """One answer as reply HTML."""
    value = answers.get(step_id)
    if value is None:
        return turn._("(skipped)")
    if step_id == "writer":
        return esc(turn._(WRITER_TITLES.get(str(value), str(value))))
    if step_id in CHOICES:
        label = CHOICES[step_id].get(str(value))
        return esc(turn._(label) if label else str(value))
    if step_id in ("care", "needs"):
        return _options(turn, step_id, list(value))
    if step_id == "age" and isinstance(value, dict):
        return esc(describe_age(turn, value))
    if step_id == "birth_month" and isinstance(value, str):
        try:
            return esc(month_label(value, turn.locale))
        except ValueError:
            return esc(value)
    if step_id == "discharge" and isinstance(value, dict):
        if value.get("undecided") or not value.get("day"):
            return turn._("not decided yet")
        return esc(format_day(date.fromisoformat(str(value["day"])), turn.locale))
    return esc(str(value))


_FIELD = markup("• <b>{}</b>: {}")


def answer_lines(turn: Turn, answers: Answers) -> list[Html]:
    """"• <b>Field</b>: answer" for who is writing and every question that applies."""
    lines = [_FIELD.format(turn._("Who is writing"), describe(turn, "writer", answers))]
    for step in applicable(answers):
        if step.id not in answers and step.id not in set(answers.get("_done", [])):
            continue
        lines.append(_FIELD.format(turn._(step.title), describe(turn, step.id, answers)))
    return lines


def field_title(turn: Turn, step_id: str) -> str:
    if step_id == "writer":
        return turn._("Who is writing")
    step = BY_ID.get(step_id)
    return turn._(step.title) if step else step_id
