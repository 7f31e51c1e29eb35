"""A milestone as the family reads it, written when the outbox worker sends it."""

from __future__ import annotations

from content.base import N_
from flows import callbacks
from flows.milestones.sending import wants_age_information
from flows.model import Button, Reply
from flows.ports import ConsentLog
from flows.records import DeskTicket, PendingMessage
from flows.text import BLANK, catalog, esc, join_lines, markup
from flows.turn import Deps

# Button data: v1:ms:stop.
MILESTONE_BUTTON = "ms"
STOP = "stop"
STOP_LABEL = N_("Stop these messages")


async def milestone_reply(row: PendingMessage, ticket: DeskTicket, deps: Deps,
                          consents: ConsentLog) -> Reply | None:
    """The message, or None when it is no longer to be sent (the family stopped these
    messages or withdrew, or staff removed the milestone from the file)."""
    details = ticket.details
    if details is None or not await wants_age_information(consents, details.subject):
        return None
    wanted = str(row.payload.get("milestone") or "")
    milestone = next((m for m in deps.content.current().milestones if m.id == wanted), None)
    if milestone is None:
        return None
    t = deps.translations.for_locale(details.locale)
    _ = catalog(t.gettext)
    lines = [
        markup("📅 <b>{}</b>").format(milestone.title.get(details.locale)),
        BLANK,
        esc(milestone.body.get(details.locale)),
        BLANK,
    ]
    if not milestone.reviewed:
        lines.append(_("<i>Some details here are still being confirmed by the ward (marked"
                       " 【要確認】). A coordinator can tell you more.</i>"))
    lines.append(_("<i>You receive this because you asked for information suited to your"
                   " child's age. To stop these messages, press the button below.</i>"))
    stop = Button(label=t.gettext(STOP_LABEL),
                  data=callbacks.encode(MILESTONE_BUTTON, STOP), role="stop")
    # Stopping must stay possible whenever the parent reads this, not only right away.
    return Reply(text=join_lines(lines), buttons=((stop,),), keep_buttons=True)
