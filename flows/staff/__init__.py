"""Tools for ward staff in a private chat: look at and edit the FAQ, preview answers, see
what parents asked that the bot could not answer.

Staff are roster members with the staff role (see :mod:`flows.staff.access`); the
commands are not in Telegram's public command list, and to anyone else they look like
unknown commands.
"""

from __future__ import annotations

from flows.faq import FaqFlow
from flows.menu import MenuFlow
from flows.ports import StaffStore
from flows.records import RosterMember
from flows.router import Router
from flows.staff import edit, entries, gaps, preview
from flows.staff.access import staff_button, staff_command, staff_text
from flows.staff.common import (
    CANCEL,
    GAP_ADD,
    GAP_CATEGORY,
    GAP_NEW,
    GAP_TOPIC,
    GAPS,
    LIST,
    PREFIX,
    RELOAD,
    SAVE,
    stale_button,
)
from flows.turn import Turn

__all__ = ["register"]


async def _button(turn: Turn[StaffStore], member: RosterMember, parts: tuple[str, ...]) -> None:
    if not parts:
        stale_button(turn)
        return
    kind = parts[0]
    if kind in (SAVE, CANCEL):
        await edit.confirm(turn, member, parts)
    elif kind == LIST:
        await entries.list_entries(turn, member, ())
    elif kind == GAPS:
        await gaps.show_gaps(turn, member, ())
    elif kind == RELOAD:
        await preview.reload_content(turn, member, ())
    elif kind in (GAP_ADD, GAP_CATEGORY, GAP_TOPIC, GAP_NEW):
        await gaps.gap_button(turn, member, parts)
    else:
        stale_button(turn)


async def _reprompt(turn: Turn) -> None:
    # After a sticker or photo in the middle of an edit: say what is expected.
    turn.say(turn._("Send the new answer as text, or /cancel."))


def register(router: Router, menu: MenuFlow, faq: FaqFlow) -> None:
    commands = {
        "staff": entries.staff_menu,
        "faq_list": entries.list_entries,
        "faq_show": entries.show_entry,
        "faq_history": entries.show_history,
        "faq_edit": edit.start_edit,
        "faq_alt": edit.add_alternate,
        "faq_reviewed": edit.mark_reviewed,
        "faq_undo": edit.undo,
        "preview": preview.preview,
        "gaps": gaps.show_gaps,
        "reload": preview.reload_content,
    }
    for name, handler in commands.items():
        # No description: staff commands stay out of the public command list and /help.
        router.command(name, staff_command(menu, handler))
    router.button(PREFIX, staff_button(menu, _button))
    # While an answer is awaited (staff:edit) a line of digits is the answer, not a button.
    router.state("staff", staff_text(menu, edit.edit_text), _reprompt, authored=True,
                 typed=lambda rest: rest == edit.EDIT_STATE.partition(":")[2])
