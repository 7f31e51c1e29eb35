"""Engine ``Reply`` values → Telegram messages.

Texts arrive in the engine's neutral markup (flows/text.py), already escaped; each of its
marks has a Telegram HTML tag, so :func:`to_telegram_html` writes them as such and keeps the
text as it is. Anything longer than Telegram's limit is split on line breaks, closing the
tags that are open at the cut and opening them again in the next part. Buttons keep the
rows the flow gave them.
"""

from __future__ import annotations

import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from flows.address import Address, telegram_id
from flows.model import Keyboard, Reply
from flows.text import Close, Mark, MarkupError, Open, Text, pieces

log = logging.getLogger(__name__)

# Links in answers point to city pages; a big preview card would push the answer itself
# off the screen on a phone.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# Telegram refuses longer texts (counted in UTF-16 units, as Telegram counts them).
MAX_MESSAGE_CHARS = 4096

# The Telegram HTML tag of each mark of the neutral markup.
_TAG_OF: dict[Mark, str] = {"strong": "b", "emphasis": "i", "code": "code", "link": "a"}

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds (for the driver and the outbox alike)."""
    # A timedelta since PTB 22.2; the public attribute warns about its future type.
    value = getattr(error, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = error.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


def to_telegram_html(text: str) -> str:
    """The neutral markup as the HTML Telegram reads (text and entities kept as written)."""
    try:
        read = list(pieces(text))
    except MarkupError:
        # Only text made around Reply's check gets here; sent as it is, Telegram refuses
        # it and send_reply sends it again as plain text.
        log.error("reply text is not the neutral markup")
        return text
    out: list[str] = []
    for piece in read:
        if isinstance(piece, Text):
            out.append(piece.raw)
        elif isinstance(piece, Open):
            # A link's tag is <a href="…"> already, its address escaped as written.
            out.append(piece.raw if piece.mark == "link" else f"<{_TAG_OF[piece.mark]}>")
        elif isinstance(piece, Close):
            out.append(f"</{_TAG_OF[piece.mark]}>")
    return "".join(out)


def keyboard_markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


# Telegram's description when it refuses a text's HTML ("can't parse entities: ...").
_PARSE_REFUSAL = "can't parse entities"
# Called before each further part of a long message (the outbox paces them like messages).
BeforePart = Callable[[], Awaitable[None]]


def is_parse_refusal(error: BadRequest) -> bool:
    return _PARSE_REFUSAL in str(error).lower()


async def send_replies(bot: Bot, replies: Sequence[Reply], chat_id: Address) -> list[int]:
    """Send each reply in order; ``chat_id`` is the chat the person wrote in."""
    sent: list[int] = []
    for reply in replies:
        target = reply.chat_id if reply.chat_id is not None else chat_id
        message_id = await send_reply(bot, reply, target)
        if message_id is not None:
            sent.append(message_id)
    return sent


async def send_reply(bot: Bot, reply: Reply, chat_id: Address,
                     before_part: BeforePart | None = None) -> int | None:
    """Send (or edit in place) one reply; the id of its first message.

    Every path that talks to people goes through here: answers to a step, the outbox and
    reminders. Texts over Telegram's limit are split on line breaks. A text whose HTML
    Telegram refuses goes out once more as plain text rather than not at all: the engine
    escapes what people type (flows/text.py), so this only guards against a mistake of
    ours, and a parent must still get the answer. Any other refusal is raised as it is.
    """
    if reply.edit_message_id is not None:
        await edit_reply(bot, reply, chat_id)
        return reply.edit_message_id
    chat = telegram_id(chat_id)
    parts = split_html(to_telegram_html(reply.text))
    first: int | None = None
    for index, part in enumerate(parts):
        if index and before_part is not None:
            await before_part()
        markup = keyboard_markup(reply.buttons) if index == len(parts) - 1 else None
        try:
            # parse_mode and the preview setting are also Defaults of the application;
            # they are given here too so rendering does not depend on how the bot was built.
            message = await bot.send_message(chat_id=chat, text=part, parse_mode=ParseMode.HTML,
                                             link_preview_options=NO_PREVIEW, reply_markup=markup)
        except BadRequest as error:
            if not is_parse_refusal(error):
                raise
            log.error("reply HTML refused by Telegram; sent as plain text")
            message = await bot.send_message(chat_id=chat, text=_visible(part),
                                             parse_mode=None, link_preview_options=NO_PREVIEW,
                                             reply_markup=markup)
        first = first if first is not None else message.message_id
    return first


async def edit_reply(bot: Bot, reply: Reply, chat_id: Address) -> None:
    """Replace an earlier message's text and buttons (unchanged is fine).

    Edited messages are short (a ticket's line in the coordinators' group); a text over the
    limit keeps its first part only.
    """
    assert reply.edit_message_id is not None
    chat = telegram_id(chat_id)
    text = split_html(to_telegram_html(reply.text))[0]
    markup = keyboard_markup(reply.buttons)
    try:
        try:
            await bot.edit_message_text(chat_id=chat, message_id=reply.edit_message_id,
                                        text=text, parse_mode=ParseMode.HTML,
                                        link_preview_options=NO_PREVIEW, reply_markup=markup)
        except BadRequest as error:
            if not is_parse_refusal(error):
                raise
            log.error("edited HTML refused by Telegram; edited as plain text")
            await bot.edit_message_text(chat_id=chat, message_id=reply.edit_message_id,
                                        text=_visible(text), parse_mode=None,
                                        link_preview_options=NO_PREVIEW, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        # Two presses at once: the message already says this.


async def answer_button(bot: Bot, callback_query_id: str, toast: str | None) -> None:
    """Acknowledge a button press (always: until then the client shows a spinner)."""
    try:
        await bot.answer_callback_query(callback_query_id, text=toast or None)
    except BadRequest as exc:
        # "query is too old": Telegram accepts answers for a short while only. The replies
        # still matter more than the spinner, so they are sent regardless.
        log.warning("callback query not answered (%s)", type(exc).__name__)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), for the raw HTML.

    The HTML is never shorter than the visible text, so staying under the limit here
    keeps the parsed message under it too.
    """
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` that are each valid Telegram HTML.

    Cuts fall after a line break when a line fits, else between words, else between
    characters; never inside a tag or an entity such as ``&amp;``.
    """
    if telegram_length(text) <= limit:
        return [text]
    return _Splitter(limit).split(text)


class _Splitter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        # Open tags at the end of the part being built: (name, the opening tag as written).
        self.stack: list[tuple[str, str]] = []
        self.buf: list[str] = []
        self.size = 0
        self.has_content = False

    def split(self, text: str) -> list[str]:
        for line in text.splitlines(keepends=True):
            if not self._add(line):
                self._add_tokens(line)
        self._flush()
        return self.parts or [text[: self.limit]]

    def _add_tokens(self, line: str) -> None:
        for token in _TOKEN.findall(line):
            if self._add(token) or token.isspace():
                continue  # blanks at a cut are trimmed by Telegram anyway
            if token.startswith(("<", "&")):
                # A tag or an entity longer than a whole message: nothing sensible can be
                # kept of it, and half of one would make Telegram refuse the message.
                log.warning("dropped an oversized HTML token while splitting a reply")
                continue
            for char in token:
                if not self._add(char):
                    log.warning("dropped text that cannot fit between reopened tags")
                    break

    def _add(self, piece: str) -> bool:
        """Append ``piece`` if it fits (starting a new part if needed); False if it never can."""
        stack_after = _apply_tags(self.stack, piece)
        if self._fits(piece, stack_after):
            self._append(piece, stack_after)
            return True
        if self.has_content:
            self._flush()
        elif not self._drop_blank():
            return False
        stack_after = _apply_tags(self.stack, piece)
        if self._fits(piece, stack_after):
            self._append(piece, stack_after)
            return True
        return False

    def _drop_blank(self) -> bool:
        """Forget blank lines piled up before any text (they would only be trimmed)."""
        reopen = "".join(tag for _, tag in self.stack)
        if "".join(self.buf) == reopen:
            return False
        self.buf, self.size = [reopen], telegram_length(reopen)
        return True

    def _fits(self, piece: str, stack_after: list[tuple[str, str]]) -> bool:
        closing = telegram_length(_closing(stack_after))
        return self.size + telegram_length(piece) + closing <= self.limit

    def _append(self, piece: str, stack_after: list[tuple[str, str]]) -> None:
        self.buf.append(piece)
        self.size += telegram_length(piece)
        self.stack = stack_after
        if _visible(piece).strip():
            self.has_content = True

    def _flush(self) -> None:
        if self.has_content:
            self.parts.append("".join(self.buf).strip() + _closing(self.stack))
        reopen = "".join(tag for _, tag in self.stack)
        self.buf = [reopen]
        self.size = telegram_length(reopen)
        self.has_content = False


def _apply_tags(stack: list[tuple[str, str]], piece: str) -> list[tuple[str, str]]:
    if "<" not in piece:
        return stack
    result = list(stack)
    for match in _TAG.finditer(piece):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            result.append((name, match.group(0)))
            continue
        for index in range(len(result) - 1, -1, -1):
            if result[index][0] == name:
                del result[index:]
                break
    return result


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _visible(piece: str) -> str:
    return html.unescape(_ANY_TAG.sub("", piece))
