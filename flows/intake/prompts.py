"""The intake's questions as messages: text, example, buttons; and the messages for mistakes."""

from __future__ import annotations

from flows import callbacks
from flows.intake.answers import (
    NAME_MAX,
    OTHER_MAX,
    PHONE_TIMES_MAX,
    WRITER_NAME_MAX,
    InvalidAnswer,
)
from flows.intake.buttons import BACK, CANCEL, CHOOSE, DONE, INTAKE_BUTTON, KEEP, SKIP, TOGGLE
from flows.intake.steps import BY_ID, CHOICES, Answers, done, previous_step, progress
from flows.intake.summary import describe
from flows.model import Button, ButtonRole, Keyboard
from flows.text import Html, join_lines
from flows.turn import ButtonRow, Turn

# Two options share a row when both labels are this short; longer ones get a row each,
# so that a phone does not cut a kind of medical care in half.
_PAIR_LABEL_CHARS = 12


def text_limit(turn: Turn, step_id: str) -> int:
    if step_id == "note":
        intake = turn.content.intake
        return intake.note_max_chars if intake else 1000
    return {"name": NAME_MAX, "phone_times": PHONE_TIMES_MAX,
            "writer_name": WRITER_NAME_MAX}.get(step_id, OTHER_MAX)


def question(turn: Turn, step_id: str, answers: Answers) -> Html:
    _ = turn._
    limit = text_limit(turn, step_id)
    proxy = answers.get("writer", "guardian") != "guardian"
    texts = {
        "residence": _("Where does the family live?"),
        "age": _("How old is the child? Type the age in years and months, for example “2 years"
                 " 3 months” or “8 months”, or the month of birth, for example “2024-08”. If"
                 " the baby is not born yet, type the month the baby is due."),
        "birth_month": _("You asked for information suited to the child's age. To send it"
                         " at the right time (school entry goes by the school year), which"
                         " month was the child born? For example “2023-05” or “2023年5月”."
                         " You can also press “Skip”; then this information cannot be"
                         " sent."),
        "care": _("Which medical care does the child need? Choose all that apply, then press"
                  " “Done”."),
        "care_other": _("Which other medical care? Please describe it in a few words (up to"
                        " {limit} characters), or press “Skip”.").format(limit=limit),
        "situation": _("Where is the child now?"),
        "discharge": _("When is the child expected to leave hospital? Type the date, for example"
                       " “2026-12-01” or “December 1”, or press “Not decided yet”."),
        "support": _("Does the family already have any support at home, such as visiting"
                     " nursing or a home helper?"),
        "situation_other": _("Please describe the situation in a few words (up to {limit}"
                             " characters).").format(limit=limit),
        "needs": _("What would you like help with? Choose all that apply, then press “Done”."),
        "needs_other": _("What else would you like help with? Please write it in a few words (up"
                         " to {limit} characters), or press “Skip”.").format(limit=limit),
        "note": _("Is there anything else the coordinator should know? Write it in your own"
                  " words (up to {limit} characters), or press “Skip”.").format(limit=limit),
        "contact": _("How would you like the coordinator to contact you?"),
        "phone": _("Which phone number should the coordinator call? For example “03-1234-5678”"
                   " or “090-1234-5678”."),
        "phone_times": _("When is a good time to call? For example “weekdays after 2 pm”. You"
                         " can also press “Skip”."),
        "name": (
            _("What is the name of the child's parent or guardian? For example “Hanako"
              " Chiyoda”.")
            if proxy
            else _("Last question: your name, so that the coordinator knows whom to ask for."
                   " For example “Hanako Chiyoda”.")
        ),
        "writer_name": _("And your own name, with where you work or how you are related to the"
                         " family? For example “Sato, medical social worker, Kudan"
                         " Hospital”."),
    }
    # No total: it would grow as answers open follow-up questions (4 of 8, then 5 of 9).
    # The number alone only moves on, since a follow-up comes right after its question.
    lines = [_("<i>Question {number}</i>").format(number=progress(answers, step_id)),
             texts[step_id]]
    if step_id in done(answers) and BY_ID[step_id].kind != "multi":
        lines.append(_("Current answer: {answer}").format(answer=describe(turn, step_id, answers)))
    return join_lines(lines)


def _button(label: str, step_id: str, *parts: str, role: ButtonRole = "choice") -> Button:
    return Button(label=label, data=callbacks.encode(INTAKE_BUTTON, step_id, *parts), role=role)


def _paired(buttons: list[Button]) -> list[ButtonRow]:
    rows: list[ButtonRow] = []
    pending: Button | None = None
    for button in buttons:
        short = len(button.label) <= _PAIR_LABEL_CHARS + 2  # the tick mark and a space
        if pending is not None and short:
            rows.append((pending, button))
            pending = None
        elif short:
            pending = button
        else:
            if pending is not None:
                rows.append((pending,))
                pending = None
            rows.append((button,))
    if pending is not None:
        rows.append((pending,))
    return rows


def nav_row(turn: Turn, step_id: str, answers: Answers) -> ButtonRow:
    _ = turn._
    row = []
    if previous_step(answers, step_id) is not None:
        row.append(_button(_("← Back"), step_id, BACK, role="navigate"))
    if step_id in BY_ID and BY_ID[step_id].optional:
        row.append(_button(_("Skip"), step_id, SKIP))
    row.append(_button(_("✖ Cancel"), step_id, CANCEL, role="cancel"))
    return tuple(row)


def keyboard(turn: Turn, step_id: str, answers: Answers) -> Keyboard:
    _ = turn._
    step = BY_ID[step_id]
    rows: list[ButtonRow] = []
    if step.kind == "choice":
        rows += [(_button(_(label), step_id, CHOOSE, value),)
                 for value, label in CHOICES[step_id].items()]
    elif step.kind == "multi":
        chosen = set(answers.get(step_id) or [])
        rows += _paired([
            _button(("✅ " if option_id in chosen else "⬜ ") + label, step_id, TOGGLE, option_id)
            for option_id, label in options(turn, step_id)
        ])
        rows.append((_button(_("Done ✔"), step_id, DONE, role="confirm"),))
    else:
        if step_id == "discharge":
            rows.append((_button(_("Not decided yet"), step_id, CHOOSE, "undecided"),))
        if step_id in done(answers) and step_id in answers:
            rows.append((_button(_("Keep the current answer"), step_id, KEEP),))
    rows.append(nav_row(turn, step_id, answers))
    return tuple(rows)


def options(turn: Turn, step_id: str) -> list[tuple[str, str]]:
    """(id, label) of the staff-edited options of a multiple-choice step."""
    intake = turn.content.intake
    if intake is None:
        return []
    source = intake.care_types if step_id == "care" else intake.help_options
    return [(o.id, o.label.get(turn.locale)) for o in source]


def show(turn: Turn, step_id: str, answers: Answers) -> None:
    turn.say(question(turn, step_id, answers), keyboard(turn, step_id, answers))


def mistake(turn: Turn, step_id: str, error: InvalidAnswer) -> Html:
    """A polite explanation of what was wrong, with an example of what works."""
    _ = turn._
    params = error.params
    code = error.code
    if code == "too_long":
        return _("That is {count} characters; please keep it to {limit} characters or fewer. A"
                 " coordinator can hear the rest when they contact you.").format(
            count=params.get("count", 0), limit=params.get("limit", 0))
    if code == "empty":
        return _("Please type a few words.")
    if code == "name":
        return _("Please type a name in letters, for example “Hanako Chiyoda”.")
    if code == "phone":
        return _("That does not look like a phone number in Japan. Please type it like"
                 " “03-1234-5678” or “090-1234-5678”.")
    if code == "too_old":
        return _("Please check the age: I read it as more than {years} years. Type it like"
                 " “2 years 3 months”, or the month of birth like “2024-08”.").format(
            years=params.get("years", 0))
    if code == "due_too_far":
        return _("That month is more than {months} months ahead. Please type the month of"
                 " birth, or the month the baby is due, like “2027-03”.").format(
            months=params.get("months", 0))
    if code == "past":
        return _("That date has already passed. Please type the expected discharge date, or go"
                 " back and choose “At home” if the child is home already.")
    if code == "too_far":
        return _("That date is more than a year ahead. Please check it, or press “Not decided"
                 " yet”.")
    if code == "birth_future":
        return _("That month has not come yet. Please type the month the child was born, like"
                 " “2023-05”.")
    if code == "birth_mismatch":
        return _("That month does not match the age you gave. Please check the month of birth"
                 " (like “2023-05”), or go back and correct the age.")
    if step_id == "birth_month":
        return _("I could not read that as a month. Please type the year and month of birth,"
                 " like “2023-05” or “2023年5月”, or press “Skip”.")
    if step_id == "discharge":
        return _("I could not read that as a date. Please type it like “2026-12-01” or"
                 " “December 1”, or press “Not decided yet”.")
    if step_id == "age":
        return _("I could not read that as an age. Please type it like “2 years 3 months” or"
                 " “8 months”, or the month of birth like “2024-08”.")
    return _("I could not use that answer. Please try again.")
