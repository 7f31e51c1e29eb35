"""Engine ``Reply`` values → LINE message objects of the SDK.

LINE shows plain text: the reply's neutral markup is rendered by ``flows.text.to_plain``,
the one plain-text renderer the console shares (emphasis dropped, a link as "text (url)",
list items as the "• " lines they are). Its limits are kept on this side, so LINE never has
to refuse a message: texts are cut under 5000 characters (counted in UTF-16 units, as LINE
counts them), and a request carries at most five messages, so the messages come back in
batches of five. LINE cannot edit a message; a reply meant to replace an earlier one is
simply sent as a new message.

Buttons that are a one-time choice become quick replies, LINE's chips above the keyboard,
when the reply is the last one sent (a later message would take the chips away), there are
at most 13 and their labels, clipped to 20 characters, can still be told apart; the full
label goes out as the text the person is shown to have tapped. Otherwise, or when the reply
says its buttons must stay (``Reply.keep_buttons``), they become a Flex message of tappable
boxes that show each label whole, keep the keyboard's rows and are coloured by what each
button is for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexCarousel,
    FlexComponent,
    FlexMessage,
    FlexText,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from flows.model import Button, ButtonRole, Keyboard, Reply
from flows.text import clip, to_plain

MAX_MESSAGES_PER_CALL = 5
MAX_TEXT = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 400
# Buttons per Flex bubble, and bubbles per carousel (LINE's limit is 12).
BUTTONS_PER_BUBBLE = 10
MAX_BUBBLES = 12

# A Flex box's frame and text by what the button is for: going ahead stands out, backing
# out and stopping are quiet, the rest are plain links.
_BLUE, _GREY = "#1F5A96", "#5B6670"
_COLOURS: dict[ButtonRole, tuple[str, str]] = {
    "choice": ("#B7C4CF", _BLUE),
    "navigate": ("#B7C4CF", _BLUE),
    "action": ("#B7C4CF", _BLUE),
    "confirm": (_BLUE, _BLUE),
    "cancel": ("#D5DBE0", _GREY),
    "stop": ("#D5DBE0", _GREY),
}


class ButtonDataTooLong(ValueError):
    """A button's data is over LINE's 300 characters: the engine must use shorter codes."""


Batch = list[Message]


def line_length(text: str) -> int:
    """Length as LINE counts a text (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut ``text`` into parts of at most ``limit``: after a line break when a line fits,
    else between words, else between characters."""
    text = text.strip()
    if line_length(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if line_length(current) + line_length(piece) <= limit:
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece.lstrip("\n")
    if current.strip():
        parts.append(current.strip())
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Lines (with their break), and lines longer than a part cut into words or characters."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        if line_length(line) <= limit:
            pieces.append(line)
            continue
        for word in re.findall(r"\S+\s*|\s+", line):
            if line_length(word) <= limit:
                pieces.append(word)
                continue
            chunk = ""
            for char in word:
                if line_length(chunk) + line_length(char) > limit:
                    pieces.append(chunk)
                    chunk = ""
                chunk += char
            if chunk:
                pieces.append(chunk)
    return pieces


def render(replies: Sequence[Reply]) -> list[Batch]:
    """The messages for ``replies``, in batches of at most five (one API call each).

    LINE cannot edit a message: a reply with ``edit_message_id`` is sent as a new one.
    """
    messages: list[Message] = []
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        messages.extend(_render_one(reply, quick=last and not reply.keep_buttons))
    return [
        messages[i : i + MAX_MESSAGES_PER_CALL]
        for i in range(0, len(messages), MAX_MESSAGES_PER_CALL)
    ]


def _render_one(reply: Reply, *, quick: bool) -> list[Message]:
    buttons = [button for row in reply.buttons for button in row]
    for button in buttons:
        if len(button.data) > MAX_POSTBACK_DATA:
            raise ButtonDataTooLong(
                f"button data of {len(button.data)} characters is over LINE's limit of"
                f" {MAX_POSTBACK_DATA}"
            )
    text = to_plain(reply.text)
    texts: list[Message] = [TextMessage(text=part) for part in split_text(text)]
    if not buttons:
        return texts
    if quick and texts and _fits_quick_reply(buttons):
        last = texts[-1]
        assert isinstance(last, TextMessage)
        texts[-1] = TextMessage(
            text=last.text,
            quick_reply=QuickReply(
                items=[QuickReplyItem(action=_action(button)) for button in buttons]
            ),
        )
        return texts
    return [*texts, _flex(reply.buttons, text)]


def _fits_quick_reply(buttons: list[Button]) -> bool:
    if len(buttons) > MAX_QUICK_REPLIES:
        return False
    labels = [_label(button) for button in buttons]
    # Two labels that clip to the same words could not be told apart on a chip.
    return len(set(labels)) == len(labels)


def _label(button: Button) -> str:
    return clip(button.label, MAX_LABEL) or "…"


def _action(button: Button) -> PostbackAction:
    shown = clip(button.label, MAX_DISPLAY_TEXT) or _label(button)
    return PostbackAction(label=_label(button), data=button.data, display_text=shown)


def _flex(keyboard: Keyboard, text: str) -> FlexMessage:
    rows = [row for row in keyboard if row]
    bubbles: list[list[tuple[Button, ...]]] = [[]]
    count = 0
    for row in rows:
        if count and count + len(row) > BUTTONS_PER_BUBBLE:
            bubbles.append([])
            count = 0
        bubbles[-1].append(row)
        count += len(row)
    if len(bubbles) > MAX_BUBBLES:
        raise ValueError(
            f"{sum(len(r) for r in rows)} buttons are more than a LINE message can show"
        )
    alt = clip(text, MAX_ALT_TEXT) or clip(
        " / ".join(b.label for r in rows for b in r), MAX_ALT_TEXT
    )
    made = [_bubble(rows_of_bubble) for rows_of_bubble in bubbles]
    contents = made[0] if len(made) == 1 else FlexCarousel(contents=made)
    return FlexMessage(alt_text=alt, contents=contents)


def _bubble(rows: list[tuple[Button, ...]]) -> FlexBubble:
    lines: list[FlexComponent] = [
        FlexBox(layout="horizontal", spacing="sm", contents=[_box(b) for b in row]) for row in rows
    ]
    return FlexBubble(body=FlexBox(layout="vertical", spacing="sm", contents=lines))


def _box(button: Button) -> FlexBox:
    label = " ".join(button.label.split()) or "…"
    frame, colour = _COLOURS[button.role]
    return FlexBox(
        layout="vertical",
        flex=1,
        padding_all="10px",
        border_width="1px",
        border_color=frame,
        corner_radius="8px",
        contents=[FlexText(text=label, wrap=True, align="center", color=colour)],
        action=_action(button),
    )
