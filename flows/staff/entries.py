"""Looking at the FAQ as staff: the staff menu, the list of entries, one entry, its history."""

from __future__ import annotations

from content.base import format_moment
from content.models import TO_FILL, FaqEntry
from flows.address import Address, typed_form
from flows.model import Keyboard
from flows.ports import StaffStore
from flows.records import RecordedChange, RosterMember
from flows.staff.common import (
    GAPS,
    LIST,
    RELOAD,
    button,
    language_name,
    named_entry,
    split_args,
    tokyo_today,
)
from flows.text import BLANK, BULLET, Html, clip, esc, join_lines, markup
from flows.turn import Turn

QUESTION_CHARS = 36
HISTORY_SHOWN = 10
VALUE_CHARS = 60


def staff_keyboard(turn: Turn) -> Keyboard:
    _ = turn._
    return (
        (button(_("📋 FAQ entries"), LIST, role="navigate"),
         button(_("🔎 Unanswered questions"), GAPS, role="navigate")),
        (button(_("🔄 Reload the content files"), RELOAD),),
    )


async def staff_menu(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    lines = [
        _("<b>Staff tools</b>"),
        _("/faq_list [word] — the FAQ entries (✔ reviewed, ⚠ to check, ⏰ review due)"),
        _("/faq_show ID [ja|en] — one entry with its phrasings"),
        _("/faq_edit ID [ja|en] — write a new answer (you see a preview before saving)"),
        _("/faq_alt ID phrasing — add a way parents ask this question"),
        _("/faq_reviewed ID [ja|en] — mark the entry as checked today"),
        _("/faq_history ID — who changed what, and when"),
        _("/faq_undo ID — take back the last change of an entry"),
        _("/preview question — how the bot answers it now"),
        _("/gaps — what parents asked that the bot could not answer"),
        _("/reload — read the content files again after editing them"),
    ]
    turn.say(join_lines(lines), staff_keyboard(turn))


def status_mark(turn: Turn, entry: FaqEntry) -> str:
    if not entry.reviewed or TO_FILL in entry.answer:
        return "⚠"
    if entry.review_by is not None and entry.review_by <= tokyo_today(turn):
        return "⏰"
    return "✔"


async def list_entries(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    words = split_args(args)
    needle = " ".join(words).lower()
    content = turn.content
    lines: list[Html] = []
    for category in content.categories:
        entries = [
            e for e in content.entries_in(turn.locale, category.id)
            if not needle or needle in e.id or needle in e.question.lower()
        ]
        if not entries:
            continue
        lines.append(markup("\n<b>{}</b>").format(category.label.get(turn.locale)))
        for e in entries:
            lines.append(markup("{} <code>{}</code> {}").format(
                status_mark(turn, e), e.id, clip(e.question, QUESTION_CHARS)))
    if not lines:
        turn.say(turn._("No entry matches {word}.").format(word=esc(needle)))
        return
    lines.append(markup("\n") + turn._("Details: /faq_show ID"))
    turn.say(join_lines(lines).strip())


async def show_entry(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    named = named_entry(turn, args, _("Which entry? For example: /faq_show coord_what"))
    if named is None:
        return
    entry, locale = named
    lines = [
        markup("{} <b>{}</b> ({})").format(status_mark(turn, entry), entry.id,
                                           language_name(turn, locale)),
        _("Question: {question}").format(question=esc(entry.question)),
        _("Reviewed: {value}").format(value=_("yes") if entry.reviewed else _("no")),
    ]
    if entry.last_reviewed or entry.review_by:
        lines.append(
            _("Last reviewed: {last} · review by: {due}").format(
                last=entry.last_reviewed.isoformat() if entry.last_reviewed else "—",
                due=entry.review_by.isoformat() if entry.review_by else "—",
            )
        )
    if entry.staff_note:
        lines.append(_("Note for staff: {note}").format(note=esc(entry.staff_note)))
    lines.append(_("Other ways parents ask ({count}):").format(count=len(entry.alternates)))
    lines += [BULLET.format(a) for a in entry.alternates]
    if entry.keywords:
        lines.append(_("Keywords: {words}").format(words=esc("、".join(entry.keywords))))
    lines += [
        BLANK,
        esc(f"/faq_edit {entry.id} {locale} · /faq_alt {entry.id} … · "
            f"/faq_reviewed {entry.id} {locale} · /faq_history {entry.id}"),
    ]
    turn.say(join_lines(lines))
    turn.say(join_lines([_("<b>Answer:</b>"), esc(entry.answer)]))


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _value(change_value: dict[str, object]) -> str:
    return clip(str(change_value.get("answer", "")), VALUE_CHARS)


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _history_line(
    turn: Turn, change: RecordedChange, undone: set[int], names: dict[Address, str]
) -> Html:
    _ = turn._
    field_names = {
        "answer": _("answer"),
        "alternates": _("phrasings"),
        "reviewed": _("review"),
    }
    head = f"#{change.id} {format_moment(change.at, turn.locale)} · " + _(
        "{field} ({language}) by {who}"
    ).format(
        field=field_names.get(change.field, change.field),
        language=language_name(turn, change.locale),
        who=esc(names.get(change.actor) or typed_form(change.actor)),
    )
    if change.field == "alternates":
        before = _strings(change.old.get("alternates"))
        after = _strings(change.new.get("alternates"))
        added = [a for a in after if a not in before]
        removed = [a for a in before if a not in after]
        detail = " ".join([f"+「{a}」" for a in added] + [f"−「{a}」" for a in removed])
    elif change.field == "answer":
        detail = f"{_value(change.old)} → {_value(change.new)}"
    else:
        detail = " · ".join(
            f"{key}: {_shown(change.old.get(key))} → {_shown(value)}"
            for key, value in change.new.items()
            if change.old.get(key) != value
        )
    if change.reverted_of is not None:
        head += " · " + _("undid #{id}").format(id=change.reverted_of)
    if change.id in undone:
        head += " · " + _("undone")
    return markup("{}\n    {}").format(head, detail)


async def show_history(turn: Turn[StaffStore], member: RosterMember, args: tuple[str, ...]) -> None:
    words = split_args(args)
    if not words:
        turn.say(turn._("Which entry? For example: /faq_history coord_what"))
        return
    entry_id = words[0].lower()
    changes = await turn.store.content_changes.history(entry_id, HISTORY_SHOWN)
    if not changes:
        turn.say(turn._("No changes of {id} were made from the chat.").format(id=esc(entry_id)))
        return
    undone = {c.reverted_of for c in changes if c.reverted_of is not None}
    names: dict[Address, str] = {}
    for actor in {c.actor for c in changes}:
        someone = await turn.store.roster.get(actor)
        if someone is not None and someone.display_name:
            names[actor] = someone.display_name
    lines = [turn._("<b>Changes of {id}</b>, newest first:").format(id=esc(entry_id))]
    lines += [_history_line(turn, c, undone, names) for c in changes]
    turn.say(join_lines(lines))
