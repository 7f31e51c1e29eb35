"""What the staff commands share: reading their arguments, naming languages, saving a change."""

from __future__ import annotations

import re
from datetime import date

from content.base import LOCALES, N_, Locale, in_tokyo
from content.models import FaqEntry
from content.records import EditResult, FaqChange
from flows import callbacks
from flows.model import Button, ButtonRole
from flows.ports import StaffStore
from flows.records import RosterMember
from flows.text import Html, esc, join_lines, markup
from flows.turn import Turn

PREFIX = "stf"
# What follows the prefix (v1:stf:ga:12:coord_what). Staff keep old messages: never change.
SAVE, CANCEL = "save", "cancel"  # an edit's preview
LIST, GAPS, RELOAD = "list", "gaps", "reload"  # the /staff menu
# An unanswered question: add it as a phrasing of a topic, choose a category, then a topic
# in it, or draft a new entry.
GAP_ADD, GAP_CATEGORY, GAP_TOPIC, GAP_NEW = "ga", "gc", "gk", "gn"
LOCALE_NAMES = {"ja": N_("Japanese"), "en": N_("English")}
_JAPANESE = re.compile(r"[ぁ-ゖァ-ヺ\u3400-\u4dbf\u4e00-\u9fff々]")
_LATIN = re.compile(r"[A-Za-z]")


def data(*parts: str) -> str:
    return callbacks.encode(PREFIX, *parts)


def stale_button(turn: Turn) -> None:
    """A staff button that no longer does anything; said as a message too, since channels
    without toasts drop them."""
    turn.toast = turn._("This button no longer works.")
    turn.say(turn._("That button no longer works."))


def button(label: str, *parts: str, role: ButtonRole = "action") -> Button:
    return Button(label=label, data=data(*parts), role=role)


def split_args(args: tuple[str, ...]) -> list[str]:
    return args[0].split() if args and args[0].strip() else []


def entry_and_locale(turn: Turn, words: list[str]) -> tuple[str, Locale] | None:
    """``ID [ja|en]``: the entry id and the language (the staff member's own by default)."""
    if not words:
        return None
    locale: Locale = turn.locale
    if len(words) > 1 and words[1].lower() in LOCALES:
        locale = "en" if words[1].lower() == "en" else "ja"
    return words[0].lower(), locale


def text_language(text: str) -> Locale:
    """The FAQ file a phrasing belongs in: the matcher searches by the script a parent
    types in, so an English phrasing helps only in the English file."""
    latin = len(_LATIN.findall(text))
    japanese = len(_JAPANESE.findall(text))
    return "en" if latin > japanese else "ja"


def find_entry(turn: Turn, entry_id: str, locale: Locale) -> FaqEntry | None:
    entry = turn.content.entry(locale, entry_id)
    if entry is None:
        turn.say(
            turn._("There is no entry with the id {id}. /faq_list shows them all.").format(
                id=esc(entry_id)
            )
        )
    return entry


def named_entry(
    turn: Turn, args: tuple[str, ...], usage: Html
) -> tuple[FaqEntry, Locale] | None:
    """The entry an ``ID [ja|en]`` command names; says ``usage`` or "no such entry" if none."""
    found = entry_and_locale(turn, split_args(args))
    if found is None:
        turn.say(usage)
        return None
    entry_id, locale = found
    entry = find_entry(turn, entry_id, locale)
    return None if entry is None else (entry, locale)


def language_name(turn: Turn, locale: Locale) -> str:
    return turn._(LOCALE_NAMES[locale])


def tokyo_today(turn: Turn) -> date:
    return in_tokyo(turn.deps.clock.now()).date()


async def save_change(
    turn: Turn[StaffStore], member: RosterMember, change: FaqChange, *,
    reverted_of: int | None = None,
) -> bool:
    """Write the change into the content files and log it; tell staff why if it was not."""
    editor = turn.deps.editor
    if editor is None:
        turn.say(turn._("The content cannot be changed from the chat on this installation."))
        return False
    result = await editor.apply(change)
    if result.status == "applied":
        await turn.store.content_changes.record(
            change, at=turn.deps.clock.now(), actor=member.user_id, reverted_of=reverted_of
        )
        return True
    say_not_saved(turn, change, result)
    return False


def say_not_saved(turn: Turn, change: FaqChange, result: EditResult) -> None:
    _ = turn._
    entry_id = esc(change.entry_id)
    if result.status == "unchanged":
        turn.say(_("Nothing to change: {id} already says that.").format(id=entry_id))
    elif result.status == "conflict":
        turn.say(
            _("{id} was changed in the files since you looked at it, so nothing was saved."
              " Look at it again with /faq_show {id} and repeat your change.").format(id=entry_id)
        )
    elif result.status == "missing":
        turn.say(
            _("There is no entry with the id {id}. /faq_list shows them all.").format(id=entry_id)
        )
    else:
        lines = [
            _("Not saved: the content check found a problem, so the bot keeps the previous"
              " text.")
        ]
        for problem in result.problems[:5]:
            message = _(problem.msgid).format(**problem.params) if problem.params else _(
                problem.msgid
            )
            lines.append(markup("{}:{}: {}").format(problem.file, problem.line, message))
        turn.say(join_lines(lines))
