"""/gaps: what parents asked that the bot refused or was unsure about, as counted themes.

Each theme offers one tap to add its usual phrasing to the topic the matcher thought
of, a way to pick another topic, and a draft for a new entry. Buttons name the logged
question by its row id, never by its text (callback data is short and forgeable).
"""

from __future__ import annotations

from datetime import timedelta

from content.faq_files import render_faq
from content.gaps import QuestionGroup, group_questions
from content.models import FaqEntry
from content.records import UnansweredQuestion
from flows.faq import button_label
from flows.model import Keyboard
from flows.ports import StaffStore
from flows.records import RosterMember
from flows.staff.common import (
    GAP_ADD,
    GAP_CATEGORY,
    GAP_NEW,
    GAP_TOPIC,
    button,
    stale_button,
    text_language,
)
from flows.staff.edit import ALTERNATE_MAX, add_phrasing
from flows.text import BLANK, clip, esc, join_lines, markup
from flows.turn import ButtonRow, Turn

WINDOW = timedelta(days=30)
# Enough for a month of a ward desk; grouping is quadratic in the worst case.
ROWS_READ = 500
GROUPS_SHOWN = 8
PHRASINGS_SHOWN = 3
LABEL_CHARS = 14
DRAFT_ALTERNATES = 6


async def _groups(turn: Turn[StaffStore]) -> list[QuestionGroup]:
    since = turn.deps.clock.now() - WINDOW
    rows = await turn.store.unanswered.recent(since, ROWS_READ)
    # Emergencies are not gaps in the FAQ. The FAQ no longer logs them, but rows logged
    # before that, or before the detector learnt a kind of danger, are still kept.
    emergency = turn.deps.emergency
    return group_questions([q for q in rows if not emergency.assess(q.text).emergency])


def _group_row(turn: Turn, number: int, group: QuestionGroup) -> ButtonRow:
    _ = turn._
    row_id = str(group.representative.id)
    buttons = []
    topic = group.best_topic
    if (
        topic is not None
        and len(group.representative.text) <= ALTERNATE_MAX
        and turn.content.entry(turn.locale, topic) is not None
        and len(topic) <= 40
    ):
        buttons.append(button(f"{number} ➕ {topic[:LABEL_CHARS]}", GAP_ADD, row_id, topic))
    buttons.append(button(f"{number} " + _("📂 Topic…"), GAP_CATEGORY, row_id))
    buttons.append(button(f"{number} " + _("📝 New"), GAP_NEW, row_id))
    return tuple(buttons)


async def show_gaps(turn: Turn[StaffStore], member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    groups = await _groups(turn)
    if not groups:
        turn.say(_("No unanswered questions in the last 30 days."))
        return
    total = sum(g.count for g in groups)
    lines = [
        _("<b>Unanswered questions, last 30 days</b>: {total} messages in {themes} themes."
          " The most frequent:").format(total=total, themes=len(groups))
    ]
    rows: list[ButtonRow] = []
    for number, group in enumerate(groups[:GROUPS_SHOWN], start=1):
        phrasings = group.phrasings(PHRASINGS_SHOWN)
        lines.append(BLANK)
        lines.append(markup("<b>{}.</b> {}× 「{}」").format(number, group.count,
                                                          clip(phrasings[0], 80)))
        lines += [markup("    「{}」").format(clip(p, 60)) for p in phrasings[1:]]
        entry = turn.content.entry(turn.locale, group.best_topic) if group.best_topic else None
        if entry is not None:
            lines.append(
                markup("    ") + _("closest topic: {id} ({question})").format(
                    id=esc(entry.id), question=esc(clip(entry.question, 30))
                )
            )
        rows.append(_group_row(turn, number, group))
    lines += [BLANK, _("➕ adds the first phrasing to the closest topic; 📂 lets you choose the"
                    " topic; 📝 gives a draft for a new entry.")]
    turn.say(join_lines(lines), tuple(rows))


async def _question(turn: Turn[StaffStore], raw_id: str) -> UnansweredQuestion | None:
    question = await turn.store.unanswered.get(int(raw_id)) if raw_id.isdigit() else None
    if question is None:
        turn.toast = turn._("This button no longer works.")
        turn.say(turn._("That question is no longer in the log. /gaps shows the current list."))
    return question


async def gap_button(turn: Turn[StaffStore], member: RosterMember, parts: tuple[str, ...]) -> None:
    """ga:ROW:TOPIC add as a phrasing · gc:ROW choose a category · gk:ROW:CAT choose a topic
    · gn:ROW a draft for a new entry."""
    kind, rest = parts[0], parts[1:]
    if not rest:
        stale_button(turn)
        return
    question = await _question(turn, rest[0])
    if question is None:
        return
    if kind == GAP_ADD and len(rest) == 2:
        await add_phrasing(turn, member, rest[1], " ".join(question.text.split()))
    elif kind == GAP_CATEGORY:
        _choose_category(turn, question)
    elif kind == GAP_TOPIC and len(rest) == 2:
        _choose_topic(turn, question, rest[1])
    elif kind == GAP_NEW:
        await _draft(turn, question)
    else:
        stale_button(turn)


def _choose_category(turn: Turn, question: UnansweredQuestion) -> None:
    content = turn.content
    rows: Keyboard = tuple(
        (button(c.label.get(turn.locale), GAP_TOPIC, str(question.id), c.id),)
        for c in content.categories
        if content.entries_in(turn.locale, c.id)
    )
    turn.say(
        turn._("Which topic should 「{text}」 belong to? Choose the category:").format(
            text=esc(clip(question.text, 80))
        ),
        rows,
    )


def _choose_topic(turn: Turn, question: UnansweredQuestion, category_id: str) -> None:
    entries = turn.content.entries_in(turn.locale, category_id)
    rows: Keyboard = tuple(
        (button(button_label(e), GAP_ADD, str(question.id), e.id),)
        for e in entries
        if len(e.id) <= 40
    )
    turn.say(turn._("Add 「{text}」 as a phrasing of:").format(text=esc(clip(question.text, 80))),
             rows)


async def _draft(turn: Turn[StaffStore], question: UnansweredQuestion) -> None:
    groups = await _groups(turn)
    group = next((g for g in groups if any(q.id == question.id for q in g.questions)), None)
    phrasings = group.phrasings(DRAFT_ALTERNATES + 1) if group else [question.text]
    phrasings = [" ".join(p.split()) for p in phrasings]
    locale = text_language(phrasings[0])
    best = group.best_topic if group else question.best_topic
    related = turn.content.entry(locale, best) if best else None
    category = related.category if related else turn.content.categories[0].id
    entry = FaqEntry(
        id="new_topic",
        category=category,
        question=phrasings[0],
        alternates=phrasings[1:],
        answer=turn._("(write the answer here)"),
        reviewed=False,
        staff_note=turn._("drafted from /gaps"),
        see_also=[related.id] if related else [],
    )
    block = render_faq(locale, [entry]).split("entries:\n", 1)[1].rstrip()
    file = f"faq.{locale}.yaml"
    turn.say(
        turn._("A draft for a new entry. Choose an id, write the answer, add it to {file} with"
               " its translation in the other FAQ file (or to the spreadsheet), then run"
               " tsunagu content check and /reload:").format(file=file)
        + markup("\n\n<code>{}</code>").format(block)
    )
