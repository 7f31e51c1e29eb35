"""Answers from the FAQ: browsing by category, and free-text questions."""

from __future__ import annotations

from functools import partial

from content.models import TO_FILL, FaqEntry
from content.records import EmergencyAssessment, FaqMatch
from flows import callbacks
from flows.menu import MENU_BUTTON
from flows.model import Button, Keyboard
from flows.offices import coordinator_row
from flows.ports import CountsViews, FaqStore
from flows.records import FaqViewHow
from flows.router import AFTER_DANGER_FAQ, Router
from flows.text import BLANK, Html, clip, esc, join_lines, markup
from flows.turn import ButtonRow, Turn

BUTTON_LABEL_CHARS = 40
# Matching looks at the start of very long messages; the question is almost always there
# or in the last lines, so both ends are kept.
MATCH_HEAD_CHARS = 1500
MATCH_TAIL_CHARS = 500
# Answers given with less confidence than this are logged for staff to review.
LOW_CONFIDENCE = 0.7
# Button data: v1:faq:q:<entry>, v1:faq:cat:<category>, v1:faq:cats, v1:faq:none.
FAQ_BUTTON = "faq"
QUESTION, CATEGORY, CATEGORIES, NONE_OF_THESE = "q", "cat", "cats", "none"


def text_for_matching(text: str) -> str:
    if len(text) <= MATCH_HEAD_CHARS + MATCH_TAIL_CHARS:
        return text
    return text[:MATCH_HEAD_CHARS] + "\n" + text[-MATCH_TAIL_CHARS:]


def button_label(entry: FaqEntry) -> str:
    """The entry's short title; the question cut short only where staff have not given one
    (`tsunagu content check` lists those)."""
    return entry.title or clip(entry.question, BUTTON_LABEL_CHARS)


def topic_button(turn: Turn, entry: FaqEntry) -> Button:
    return Button(
        label=button_label(entry),
        data=callbacks.encode(FAQ_BUTTON, QUESTION, entry.id),
        role="choice",
    )


def back_row(turn: Turn) -> ButtonRow:
    return (
        Button(label=turn._("📚 Questions by topic"),
               data=callbacks.encode(FAQ_BUTTON, CATEGORIES), role="navigate"),
        Button(label=turn._("🏠 Menu"), data=callbacks.encode(MENU_BUTTON), role="navigate"),
    )


def answer_text(turn: Turn, entry: FaqEntry) -> Html:
    """The answer as a parent reads it (staff previews show exactly this)."""
    text = markup("<b>{question}</b>\n\n{answer}").format(
        question=entry.question, answer=entry.answer.replace(TO_FILL, ""))
    if not entry.reviewed:
        text += markup("\n\n") + turn._(
            "<i>Some details for Chiyoda City are still being confirmed. A coordinator or"
            " the ward office can tell you what applies to your family.</i>"
        )
    return text


def confident_answer(turn: Turn, text: str) -> FaqEntry | None:
    """The entry that answers ``text`` with confidence, or None: for a question asked in the
    middle of another step, where a guess or a list of suggestions would only distract."""
    match = turn.deps.content.matcher().match(text_for_matching(text), turn.locale)
    if match.mode != "answer" or not match.topic or match.confidence < LOW_CONFIDENCE:
        return None
    return turn.content.entry(turn.locale, match.topic)


async def count_view(turn: Turn[CountsViews], topic: str, how: FaqViewHow) -> None:
    # For the council report's most asked topics: no user, no text.
    await turn.store.faq_views.record(
        at=turn.deps.clock.now(), locale=turn.locale, topic=topic, how=how
    )


# Beyond this a message is almost certainly pasted by mistake; the start is still read.
LONG_MESSAGE_CHARS = 4000


class FaqFlow:
    async def categories(self, turn: Turn[FaqStore], parts: tuple[str, ...]) -> None:
        if parts and parts[0] == QUESTION and len(parts) == 2:
            await self.show_topic(turn, parts[1])
            return
        if parts and parts[0] == CATEGORY and len(parts) == 2:
            await self.show_category(turn, parts[1])
            return
        if parts and parts[0] == NONE_OF_THESE:
            self.say_dont_know(turn)
            return
        content = turn.content
        rows = tuple(
            (Button(label=c.label.get(turn.locale),
                    data=callbacks.encode(FAQ_BUTTON, CATEGORY, c.id), role="choice"),)
            for c in content.categories
            if content.entries_in(turn.locale, c.id)
        )
        turn.say(turn._("Choose a topic."), (*rows, (back_row(turn)[1],)))

    async def show_category(self, turn: Turn[FaqStore], category_id: str) -> None:
        category = turn.content.category(category_id)
        if category is None:
            await self.categories(turn, ())
            return
        entries = turn.content.entries_in(turn.locale, category_id)
        rows = tuple((topic_button(turn, e),) for e in entries)
        turn.say(markup("<b>{}</b>").format(category.label.get(turn.locale)),
                 (*rows, back_row(turn)))

    async def show_topic(self, turn: Turn[FaqStore], topic: str) -> None:
        entry = turn.content.entry(turn.locale, topic)
        if entry is None:
            # A stale button from before a content change.
            turn.say(turn._("That question is no longer in the list."))
            await self.categories(turn, ())
            return
        await self._count_view(turn, entry.id, "button")
        self.say_answer(turn, entry)

    def say_answer(self, turn: Turn, entry: FaqEntry, first: Keyboard = ()) -> None:
        """The answer with its related questions; ``first``: rows that go above them."""
        text = answer_text(turn, entry)
        related = [
            e for other in entry.see_also if (e := turn.content.entry(turn.locale, other))
        ]
        rows: Keyboard = tuple((topic_button(turn, e),) for e in related[:3])
        turn.say(text, (*first, *rows, coordinator_row(turn), back_row(turn)))

    def confident_entry(self, turn: Turn, text: str) -> FaqEntry | None:
        """The entry the FAQ answers the message with confidently, if any."""
        match = turn.deps.content.matcher().match(text_for_matching(text), turn.locale)
        if match.mode != "answer" or not match.topic:
            return None
        return turn.content.entry(turn.locale, match.topic)

    async def answer_with(
        self, turn: Turn[FaqStore], entry: FaqEntry, first: Keyboard = ()
    ) -> None:
        await self._count_view(turn, entry.id, "text")
        self.say_answer(turn, entry, first)

    def say_dont_know(self, turn: Turn, pointer: Html | None = None) -> None:
        _ = turn._
        lines: list[Html] = []
        if pointer:
            lines += [pointer, BLANK]
        else:
            lines.append(_("I'm sorry, I could not find an answer to that in my list."))
        lines.append(
            _("The coordinators for children who need medical care can help with questions"
              " about your own situation. See how to reach them below.")
        )
        turn.say(join_lines(lines), (coordinator_row(turn), back_row(turn)))

    async def answer_free_text(
        self, turn: Turn[FaqStore], text: str, *, after_emergency: bool
    ) -> None:
        locale = turn.locale
        match: FaqMatch = turn.deps.content.matcher().match(text_for_matching(text), locale)
        # An emergency is no gap in the FAQ: staff must never be offered to file "my baby
        # is not breathing" under some entry. The button that asks a relayed message again
        # comes without the engine's check, hence the second look.
        urgent = after_emergency or turn.deps.emergency.assess(text).emergency
        if (match.mode != "answer" or match.confidence < LOW_CONFIDENCE) and not urgent:
            await self._log_unanswered(turn, text, match)
        if after_emergency and match.mode != "answer":
            # The emergency guidance already said what matters; no "I don't know" after it.
            return
        if match.mode == "answer" and match.topic:
            entry = turn.content.entry(locale, match.topic)
            if entry is not None:
                await self._count_view(turn, entry.id, "text")
                self.say_answer(turn, entry)
                return
        if match.mode == "suggest" and match.suggestions:
            entries = [e for t in match.suggestions[:3] if (e := turn.content.entry(locale, t))]
            if entries:
                rows = tuple((topic_button(turn, e),) for e in entries)
                none = Button(label=turn._("None of these"),
                              data=callbacks.encode(FAQ_BUTTON, NONE_OF_THESE), role="choice")
                turn.say(turn._("Did you mean one of these?"), (*rows, (none,)))
                return
        pointer = None
        if match.offtopic:
            topic = next((o for o in turn.content.offtopic.topics if o.id == match.offtopic), None)
            pointer = esc(topic.pointer.get(locale)) if topic else None
        self.say_dont_know(turn, pointer)

    async def _count_view(self, turn: Turn[FaqStore], topic: str, how: FaqViewHow) -> None:
        await count_view(turn, topic, how)

    async def _log_unanswered(self, turn: Turn[FaqStore], text: str, match: FaqMatch) -> None:
        best = match.topic or (match.suggestions[0] if match.suggestions else None)
        await turn.store.unanswered.record(
            at=turn.deps.clock.now(),
            locale=turn.locale,
            text=text,
            mode=match.mode,
            best_topic=best,
            confidence=match.confidence,
        )


async def _from_faq(flow: FaqFlow, turn: Turn[FaqStore], text: str,
                    assessment: EmergencyAssessment) -> bool:
    """The last step of free text: whatever no conversation step took, the FAQ answers."""
    if len(text) > LONG_MESSAGE_CHARS:
        turn.say(turn._("Your message is very long, so I read its beginning and end. A"
                        " coordinator can go through the whole story with you."))
    await flow.answer_free_text(turn, text, after_emergency=assessment.emergency)
    return True


def register(router: Router) -> FaqFlow:
    flow = FaqFlow()
    router.button(FAQ_BUTTON, flow.categories)
    router.menu_entry(lambda turn: (back_row(turn)[0],))
    router.text_after_danger(AFTER_DANGER_FAQ, partial(_from_faq, flow))
    return flow
