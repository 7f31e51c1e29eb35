"""Changing the FAQ from the chat: a new answer (with a preview), a new phrasing, a review,
and taking the last change back. Every change goes through :func:`save_change`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from content.base import Locale
from content.models import ANSWER_MAX, FaqEntry
from content.records import FaqChange
from flows.faq import answer_text
from flows.ports import StaffStore
from flows.records import RosterMember
from flows.staff.common import (
    CANCEL,
    SAVE,
    button,
    find_entry,
    language_name,
    named_entry,
    save_change,
    split_args,
    stale_button,
    text_language,
    tokyo_today,
)
from flows.text import Html, clip, esc, join_lines
from flows.turn import Turn

EDIT_STATE = "staff:edit"
CONFIRM_STATE = "staff:confirm"
# Where the pending edit is kept in the session between the messages.
PENDING = "staff_edit"
ALTERNATE_MAX = 200
# When a due review is renewed without a previous interval to repeat.
REVIEW_INTERVAL = timedelta(days=365)


# --- a new answer ---------------------------------------------------------------------


async def start_edit(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    named = named_entry(turn, args, _("Which entry? For example: /faq_edit coord_what"))
    if named is None:
        return
    entry, locale = named
    turn.session.state = EDIT_STATE
    turn.session.data[PENDING] = {"id": entry.id, "locale": locale, "old": entry.answer}
    turn.say(
        _("The {language} answer of <b>{id}</b> now reads:").format(
            language=language_name(turn, locale), id=esc(entry.id)
        )
        + "\n\n"
        + esc(entry.answer)
    )
    turn.say(
        _("Send the new answer as your next message: plain text, up to {max} characters."
          " /cancel stops without changing anything.").format(max=ANSWER_MAX)
    )


async def edit_text(turn: Turn, member: RosterMember, text: str) -> None:
    """The new answer (or a second try at it while the preview is shown)."""
    _ = turn._
    pending = turn.session.data.get(PENDING)
    if not isinstance(pending, dict):
        turn.reset()
        return
    if len(text) > ANSWER_MAX:
        turn.say(
            _("That is {count} characters; an answer can have up to {max}. Please shorten it"
              " or split it into two entries.").format(count=len(text), max=ANSWER_MAX)
        )
        return
    entry = turn.content.entry(pending["locale"], pending["id"])
    if entry is None:
        turn.reset()
        turn.say(_("That entry is no longer in the FAQ; nothing was changed."))
        return
    pending["new"] = text
    turn.session.state = CONFIRM_STATE
    preview = entry.model_copy(update={"answer": text})
    turn.say(_("<b>Preview</b> — parents will read:"))
    turn.say(
        _preview_text(turn, preview, pending["locale"]),
        ((button(_("💾 Save"), SAVE, role="confirm"),
          button(_("✖ Cancel"), CANCEL, role="cancel")),),
    )


def _preview_text(turn: Turn, entry: FaqEntry, locale: Locale) -> Html:
    # In the entry's language, even when the staff member's chat is in the other one.
    if locale == turn.locale:
        return answer_text(turn, entry)
    original = turn.session.locale
    turn.session.locale = locale
    try:
        return answer_text(turn, entry)
    finally:
        turn.session.locale = original


async def confirm(turn: Turn[StaffStore], member: RosterMember, parts: tuple[str, ...]) -> None:
    _ = turn._
    pending = turn.session.data.get(PENDING)
    if turn.session.state != CONFIRM_STATE or not isinstance(pending, dict) or "new" not in pending:
        stale_button(turn)
        return
    turn.reset()
    turn.session.data.pop(PENDING, None)
    if parts[0] == CANCEL:
        turn.toast = _("Cancelled")
        turn.say(_("Cancelled; the answer was not changed."))
        return
    change = FaqChange(
        entry_id=pending["id"],
        locale=pending["locale"],
        field="answer",
        old={"answer": pending["old"]},
        new={"answer": pending["new"]},
    )
    if await save_change(turn, member, change):
        turn.toast = _("Saved")
        turn.say(
            _("Saved. Parents get the new answer of {id} from now on. /faq_undo {id} takes it"
              " back.").format(id=esc(change.entry_id))
        )


# --- a new phrasing -------------------------------------------------------------------


async def add_alternate(
    turn: Turn[StaffStore], member: RosterMember, args: tuple[str, ...]
) -> None:
    _ = turn._
    raw = args[0].strip() if args else ""
    entry_id, _sep, phrasing = raw.partition(" ")
    phrasing = " ".join(phrasing.split())
    if not entry_id or not phrasing:
        turn.say(_("Write the entry id and the phrasing, for example:"
                   " /faq_alt coord_what コーディネーターって誰？"))
        return
    await add_phrasing(turn, member, entry_id.lower(), phrasing)


async def add_phrasing(
    turn: Turn[StaffStore], member: RosterMember, entry_id: str, phrasing: str
) -> None:
    """Add ``phrasing`` to the entry in the file of its script, then show how it matches."""
    _ = turn._
    if len(phrasing) > ALTERNATE_MAX:
        turn.say(_("A phrasing can have up to {max} characters.").format(max=ALTERNATE_MAX))
        return
    locale = text_language(phrasing)
    entry = find_entry(turn, entry_id, locale)
    if entry is None:
        return
    if phrasing in entry.alternates or phrasing == entry.question:
        turn.say(_("{id} already has that phrasing.").format(id=esc(entry.id)))
        return
    change = FaqChange(
        entry_id=entry.id,
        locale=locale,
        field="alternates",
        old={"alternates": list(entry.alternates)},
        new={"alternates": [*entry.alternates, phrasing]},
    )
    if not await save_change(turn, member, change):
        return
    match = turn.deps.content.matcher().match(phrasing, locale)
    lines = [
        _("Added to {id} ({language}): 「{phrasing}」").format(
            id=esc(entry.id), language=language_name(turn, locale), phrasing=esc(phrasing)
        )
    ]
    if match.mode == "answer" and match.topic == entry.id:
        lines.append(_("Parents who write this now get the answer of {id}.").format(
            id=esc(entry.id)))
    else:
        lines.append(
            _("The bot still does not answer it with {id} directly (another entry may be"
              " closer); check with /preview.").format(id=esc(entry.id))
        )
    lines.append(_("/faq_undo {id} takes it back.").format(id=esc(entry.id)))
    turn.say(join_lines(lines))


# --- a review -------------------------------------------------------------------------


def review_fields(entry: FaqEntry, today: date) -> dict[str, Any]:
    """reviewed today; a review date that is due moves on by the same interval as before."""
    review_by = entry.review_by
    if review_by is not None and review_by <= today:
        interval = (
            review_by - entry.last_reviewed
            if entry.last_reviewed is not None and review_by > entry.last_reviewed
            else REVIEW_INTERVAL
        )
        review_by = today + interval
    return {
        "reviewed": True,
        "last_reviewed": today.isoformat(),
        "review_by": review_by.isoformat() if review_by else None,
    }


async def mark_reviewed(
    turn: Turn[StaffStore], member: RosterMember, args: tuple[str, ...]
) -> None:
    _ = turn._
    named = named_entry(turn, args, _("Which entry? For example: /faq_reviewed coord_what"))
    if named is None:
        return
    entry, locale = named
    today = tokyo_today(turn)
    old = {
        "reviewed": entry.reviewed,
        "last_reviewed": entry.last_reviewed.isoformat() if entry.last_reviewed else None,
        "review_by": entry.review_by.isoformat() if entry.review_by else None,
    }
    change = FaqChange(
        entry_id=entry.id, locale=locale, field="reviewed", old=old,
        new=review_fields(entry, today),
    )
    if not await save_change(turn, member, change):
        return
    lines = [
        _("{id} ({language}) is marked as reviewed today.").format(
            id=esc(entry.id), language=language_name(turn, locale)
        )
    ]
    if change.new["review_by"]:
        lines.append(_("Next review by {day}.").format(day=change.new["review_by"]))
    if entry.staff_note:
        lines.append(
            _("The note for staff is still there: {note}").format(note=esc(entry.staff_note))
        )
    other: Locale = "en" if locale == "ja" else "ja"
    other_entry = turn.content.entry(other, entry.id)
    if other_entry is not None and not other_entry.reviewed:
        lines.append(
            _("The {language} version is not reviewed yet: /faq_reviewed {id} {code}").format(
                language=language_name(turn, other), id=esc(entry.id), code=other
            )
        )
    turn.say(join_lines(lines))


# --- taking a change back -------------------------------------------------------------


async def undo(turn: Turn[StaffStore], member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    words = split_args(args)
    if not words:
        turn.say(_("Which entry? For example: /faq_undo coord_what"))
        return
    entry_id = words[0].lower()
    last = await turn.store.content_changes.last_undoable(entry_id)
    if last is None:
        turn.say(_("There is no change of {id} to take back.").format(id=esc(entry_id)))
        return
    change = FaqChange(
        entry_id=last.entry_id, locale=last.locale, field=last.field, old=last.new, new=last.old
    )
    if not await save_change(turn, member, change, reverted_of=last.id):
        return
    lines = [
        _("Change #{number} of {id} ({language}) is taken back.").format(
            number=last.id, id=esc(last.entry_id), language=language_name(turn, last.locale)
        )
    ]
    if "answer" in last.old:
        lines.append(_("The answer reads again:") + "\n" + esc(clip(str(last.old["answer"]), 300)))
    turn.say(join_lines(lines))
