"""The intake's questions, in order, and which of them apply given the answers so far.

A draft's answers are a plain dict (saved as JSON): one key per step, plus ``_done`` (the
steps answered or skipped) and ``_step`` (where the parent is, for resuming). ``writer``
comes from the consent screen, not from a step of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from content.base import N_

Answers = dict[str, Any]
StepKind = Literal["choice", "multi", "text"]
SUMMARY = "summary"
OTHER = "other"  # the option id that asks for a description


def _always(answers: Answers) -> bool:
    return True


def _is(key: str, value: str) -> Callable[[Answers], bool]:
    return lambda answers: bool(answers.get(key) == value)


def _has(key: str, value: str) -> Callable[[Answers], bool]:
    return lambda answers: value in list(answers.get(key) or [])


# Bookkeeping key of a draft: the family agreed to information for the child's age.
AGE_INFORMATION = "_age_info"


def _needs_birth_month(answers: Answers) -> bool:
    """The information for the child's age is timed by the birth month: asked only of a
    family that agreed to it and gave the age in years and months (a month of birth, or the
    month due, says it already). A draft from before this question never has the key."""
    age = answers.get("age")
    return bool(answers.get(AGE_INFORMATION)) and isinstance(age, dict) and age.get(
        "kind") == "age"


def _proxy(answers: Answers) -> bool:
    return bool(answers.get("writer", "guardian") != "guardian")


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    # The field's name in the summary (a msgid).
    title: str
    optional: bool = False
    applies: Callable[[Answers], bool] = _always


# Titles and choices speak of "the family" and "the child", not "you": a hospital social
# worker or a visiting nurse fills this in for families too, and coordinators read the same
# titles on the ticket.
STEPS: tuple[Step, ...] = (
    Step("residence", "choice", N_("Where the family lives")),
    Step("age", "text", N_("Child's age")),
    Step("birth_month", "text", N_("Child's month of birth"), optional=True,
         applies=_needs_birth_month),
    Step("care", "multi", N_("Medical care")),
    Step("care_other", "text", N_("Other medical care"), optional=True,
         applies=_has("care", OTHER)),
    Step("situation", "choice", N_("Where the child is now")),
    Step("discharge", "text", N_("Expected discharge"), applies=_is("situation", "hospital")),
    Step("support", "choice", N_("Support at home"), applies=_is("situation", "home")),
    Step("situation_other", "text", N_("About the situation"),
         applies=_is("situation", "other")),
    Step("needs", "multi", N_("Help wanted")),
    Step("needs_other", "text", N_("Other help wanted"), optional=True,
         applies=_has("needs", OTHER)),
    Step("note", "text", N_("Anything else"), optional=True),
    Step("contact", "choice", N_("How to be contacted")),
    Step("phone", "text", N_("Phone number"), applies=_is("contact", "phone")),
    Step("phone_times", "text", N_("Good times to call"), optional=True,
         applies=_is("contact", "phone")),
    Step("name", "text", N_("Parent's or guardian's name")),
    Step("writer_name", "text", N_("Name and organisation of the writer"),
         applies=_proxy),
)
BY_ID = {step.id: step for step in STEPS}

# Buttons of the single-choice steps: value → label (msgid). Values are what tickets store.
CHOICES: dict[str, dict[str, str]] = {
    "residence": {
        "chiyoda": N_("In Chiyoda City"),
        "moving_in": N_("Moving to Chiyoda City"),
        "elsewhere": N_("Somewhere else"),
    },
    "situation": {
        "hospital": N_("In hospital"),
        "home": N_("At home"),
        "other": N_("Something else"),
    },
    "support": {
        "some": N_("Yes, some support"),
        "none": N_("No support yet"),
        "unsure": N_("Not sure"),
    },
    "contact": {
        "chat": N_("Reply here in this chat"),
        "phone": N_("Phone me"),
        "visit": N_("Meet in person"),
    },
}
WRITER_TITLES = {
    "guardian": N_("Parent or guardian"),
    "family": N_("A family member, for the guardian"),
    "professional": N_("A professional, for the family"),
}


def applicable(answers: Answers) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def done(answers: Answers) -> set[str]:
    return set(answers.get("_done", []))


def mark_done(answers: Answers, step_id: str) -> None:
    answers["_done"] = sorted(done(answers) | {step_id})


def next_step(answers: Answers, after: str | None) -> str:
    """The first applicable question not answered yet after ``after`` (then from the top);
    the summary when everything is answered."""
    steps = applicable(answers)
    finished = done(answers)
    ids = [s.id for s in steps]
    start = ids.index(after) + 1 if after in ids else 0
    for step in steps[start:] + steps[:start]:
        if step.id not in finished:
            return step.id
    return SUMMARY


def previous_step(answers: Answers, current: str) -> str | None:
    ids = [s.id for s in applicable(answers)]
    if current == SUMMARY:
        return ids[-1] if ids else None
    if current not in ids:
        return None
    index = ids.index(current)
    return ids[index - 1] if index > 0 else None


def prune(answers: Answers) -> None:
    """Forget answers to questions that no longer apply (a phone number after switching to
    chat, say), so nothing is kept that the parent no longer means to give."""
    keep = {s.id for s in applicable(answers)}
    for step in STEPS:
        if step.id not in keep:
            answers.pop(step.id, None)
    answers["_done"] = sorted(done(answers) & keep)


def progress(answers: Answers, step_id: str) -> int:
    """The question's number: its place among the questions that apply. Answering a question
    only opens or closes questions after it, so the next one always has the next number."""
    ids = [s.id for s in applicable(answers)]
    return ids.index(step_id) + 1 if step_id in ids else len(ids)


def final_answers(answers: Answers) -> Answers:
    """Only the answers to questions that apply, without bookkeeping: what a ticket stores."""
    result: Answers = {"writer": answers.get("writer", "guardian")}
    for step in applicable(answers):
        if step.id in answers:
            result[step.id] = answers[step.id]
    return result
