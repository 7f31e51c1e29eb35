"""Telegram updates → engine ``Inbound`` values.

Only what the engine needs crosses over; everything Telegram-specific stays here.
Texts are passed through exactly as typed: the engine escapes them when it quotes them.
"""

from __future__ import annotations

import re
from typing import cast, get_args

from telegram import Chat, Message, Update, User
from telegram.constants import MessageAttachmentType

from flows.address import address
from flows.model import ChatType, Inbound, InboundKind

# "/start", "/start@tsunagu_bot", "/start@tsunagu_bot some words". Telegram's command
# words are at most 32 latin letters, digits and underscores.
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.DOTALL)

_CHAT_TYPES: frozenset[str] = frozenset(get_args(ChatType))

# Checked in this order because some kinds carry another one too: an animation also has
# a document, a venue also has a location. The engine words its answer from these names.
_ATTACHMENTS: tuple[str, ...] = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video_note",
    "video",
    "animation",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
    "invoice",
)
# Payment receipts are service messages, not something a person said to the desk.
_NOT_CONTENT = frozenset({"successful_payment"})


def to_inbound(update: Update, bot_username: str | None = None) -> Inbound | None:
    """The engine's view of an update, or None when there is nothing to answer.

    ``bot_username`` lets a command addressed to another bot in a group
    (``/start@other_bot``) be recognised and left alone.
    """
    if update.callback_query is not None:
        return _from_callback(update)
    if update.message is not None:
        return _from_message(update.message, bot_username)
    # Edited messages are deliberately not answered. An edit nearly always fixes a typo
    # after the answer has arrived; answering again would send a second, surprising reply
    # (or, worse, a second emergency notice), and "I can only read text messages" would be
    # wrong for an edited text. Someone who changes their question can simply send it again.
    # Everything else (channel posts, inline queries, member changes, reactions, polls...)
    # is not a person talking to the desk.
    return None


def unsupported_kind(message: Message) -> str | None:
    """Which kind of non-text content a message carries, or None for a service message."""
    for name in _ATTACHMENTS:
        if getattr(message, name, None):
            return name
    # Kinds Telegram adds later still get a polite "please type" rather than silence.
    for kind in MessageAttachmentType:
        if kind.value not in _NOT_CONTENT and getattr(message, kind.value, None):
            return str(kind.value)
    return None


def _from_message(message: Message, bot_username: str | None) -> Inbound | None:
    user, chat = message.from_user, message.chat
    if not _is_person(user) or chat.type not in _CHAT_TYPES:
        return None
    assert user is not None  # _is_person checked it; narrows the type
    if message.text is not None:
        replied = _reply_to_bot(message, bot_username)
        match = _COMMAND.match(message.text.strip())
        if match is None:
            return _inbound(user, chat, "text", text=message.text, reply_to_text=replied)
        word, addressee, args = match.groups()
        if addressee and bot_username and addressee.lower() != bot_username.lower():
            return None
        return _inbound(user, chat, "command", command=word.lower(), text=(args or "").strip(),
                        reply_to_text=replied)
    what = unsupported_kind(message)
    if what is None:
        # Service messages (someone joined a group, a pinned message, a chat photo change...)
        # are Telegram's bookkeeping, not something to reply to.
        return None
    return _inbound(user, chat, "unsupported", unsupported_what=what)


def _from_callback(update: Update) -> Inbound | None:
    query = update.callback_query
    assert query is not None
    # A button on an inline-mode message has no chat to answer in; the press is still
    # acknowledged by the driver so the client's spinner stops.
    chat = query.message.chat if query.message is not None else None
    if chat is None or chat.type not in _CHAT_TYPES or not _is_person(query.from_user):
        return None
    # A game button carries game_short_name instead of data; "" is refused by the engine.
    message_id = query.message.message_id if query.message is not None else None
    return _inbound(query.from_user, chat, "button", button=query.data or "",
                    message_id=message_id)


def _reply_to_bot(message: Message, bot_username: str | None) -> str | None:
    """The text of the bot's own message that ``message`` answers, if it answers one."""
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    if replied is None or author is None or not author.is_bot:
        return None
    if bot_username and (author.username or "").lower() != bot_username.lower():
        return None  # another bot's message in the group
    return replied.text or replied.caption or None


def _is_person(user: User | None) -> bool:
    # Other bots in a group must not start a conversation (two bots answering each other).
    return user is not None and not user.is_bot


def _inbound(
    user: User,
    chat: Chat,
    kind: InboundKind,
    *,
    text: str = "",
    command: str | None = None,
    button: str | None = None,
    unsupported_what: str | None = None,
    message_id: int | None = None,
    reply_to_text: str | None = None,
) -> Inbound:
    return Inbound(
        channel="telegram",
        user_id=address("telegram", user.id),
        chat_id=address("telegram", chat.id),
        chat_type=cast(ChatType, chat.type),  # checked against _CHAT_TYPES by the callers
        kind=kind,
        text=text,
        command=command,
        button=button,
        language_code=user.language_code,
        unsupported_what=unsupported_what,
        message_id=message_id,
        reply_to_text=reply_to_text,
        display_name=user.full_name or None,
    )
