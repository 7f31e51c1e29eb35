"""Unfinished requests: one reminder after a day without changes, deletion after a week.

Pure decisions; ``bot.housekeeping`` runs them periodically over the stored drafts and
hands the reminders to the drivers to send.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal

from content.base import Translator, format_day, in_tokyo
from flows import callbacks
from flows.intake.buttons import CONTINUE, DELETE, REQUEST_BUTTON
from flows.model import Button, Reply
from flows.records import Draft
from flows.text import catalog, join_lines

REMIND_AFTER = timedelta(hours=24)
EXPIRE_AFTER = timedelta(days=7)
# A reminder waits for the daytime: parents of these children are often up at night with
# them, and a notification should not be what wakes them.
DAY_STARTS = time(9, 0)
DAY_ENDS = time(20, 0)

Decision = Literal["wait", "remind", "expire"]


def expires_at(draft: Draft) -> datetime:
    return draft.updated_at + EXPIRE_AFTER


def due(draft: Draft, now: datetime) -> Decision:
    """What to do with a draft now: nothing yet, send its one reminder, or delete it."""
    idle = now - draft.updated_at
    if idle >= EXPIRE_AFTER:
        return "expire"
    if draft.reminded_at is not None or idle < REMIND_AFTER:
        return "wait"
    local = in_tokyo(now).time().replace(tzinfo=None)
    if not DAY_STARTS <= local < DAY_ENDS:
        return "wait"
    return "remind"


def reminder(draft: Draft, t: Translator) -> Reply:
    """The reminder message, in the language the parent was using, to the draft's chat."""
    _ = catalog(t.gettext)
    last_day = in_tokyo(expires_at(draft)).date()
    text = join_lines(
        [
            _("You started a request for a coordinator's help and have not finished it yet."
              " Your answers are saved: press “Continue my request” to pick up where you left"
              " off."),
            _("If nothing changes, the unfinished request will be deleted on {day}.").format(
                day=format_day(last_day, t.locale)),
        ]
    )
    return Reply(
        text=text,
        chat_id=draft.chat_id,
        buttons=(
            (Button(label=_("Continue my request"),
                    data=callbacks.encode(REQUEST_BUTTON, CONTINUE), role="confirm"),),
            (Button(label=_("Delete it"), data=callbacks.encode(REQUEST_BUTTON, DELETE),
                    role="choice"),),
        ),
        # A reminder is read when the parent has time, often after other messages.
        keep_buttons=True,
    )
