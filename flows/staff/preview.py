"""/preview: how the bot would answer a question now, without logging it as a parent's."""

from __future__ import annotations

from flows.faq import answer_text, text_for_matching
from flows.records import RosterMember
from flows.text import Html, clip, esc, join_lines, markup
from flows.turn import Turn

SUGGESTIONS_SHOWN = 3


async def preview(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    question = args[0].strip() if args else ""
    if not question:
        turn.say(_("Write the question after the command, for example: /preview 訪看を頼みたい"))
        return
    # Asked exactly as a parent's message in this chat's language is.
    locale = turn.locale
    match = turn.deps.content.matcher().match(text_for_matching(question), locale)
    lines: list[Html] = []
    if turn.deps.emergency.assess(question).emergency:
        lines.append(_("⚠ Parents would first get the emergency guidance (119, #7119, #8000)."))
    content = turn.content
    if match.mode == "answer" and match.topic and (entry := content.entry(locale, match.topic)):
        lines.append(
            _("Answer: <b>{id}</b> (confidence {confidence:.2f})").format(
                id=esc(entry.id), confidence=match.confidence
            )
        )
        turn.say(join_lines(lines))
        turn.say(answer_text(turn, entry))
        return
    if match.mode == "suggest" and match.suggestions:
        lines.append(
            _("Not sure (confidence {confidence:.2f}): parents would be asked which they"
              " mean:").format(confidence=match.confidence)
        )
        for topic in match.suggestions[:SUGGESTIONS_SHOWN]:
            suggested = content.entry(locale, topic)
            question_text = clip(suggested.question, 40) if suggested else ""
            lines.append(markup("• <code>{}</code> {}").format(topic, question_text))
    else:
        lines.append(_("No answer: parents would be pointed to the coordinators."))
        if match.offtopic:
            about = _("(It is about another ward matter: {id}.)")
            lines.append(about.format(id=esc(match.offtopic)))
    lines.append(
        _("To teach the bot, add the question to an entry: /faq_alt ID {question}").format(
            question=esc(clip(question, 60))
        )
    )
    turn.say(join_lines(lines))


async def reload_content(turn: Turn, member: RosterMember, args: tuple[str, ...]) -> None:
    _ = turn._
    editor = turn.deps.editor
    if editor is None:
        turn.say(_("The content cannot be changed from the chat on this installation."))
        return
    result = await editor.reload()
    if result.status == "applied":
        turn.say(
            _("The content files were read again and are in use. Warnings: {count} (see"
              " tsunagu content check).").format(count=result.warnings)
        )
        return
    lines = [_("The content files have errors, so the bot keeps the previous content:")]
    for problem in result.problems[:5]:
        message = _(problem.msgid).format(**problem.params) if problem.params else _(
            problem.msgid
        )
        lines.append(markup("{}:{}: {}").format(problem.file, problem.line, message))
    turn.say(join_lines(lines))
