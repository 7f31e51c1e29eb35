"""LINE webhook events → what the desk does with them (an engine ``Inbound``, mostly).

Only families talk to the desk on LINE, one to one: events from groups and rooms are left
alone, as are kinds that are nobody talking (a beacon, a video watched to the end). LINE
users do not type slash commands, so a message that is only one of the words below (the
rich menu's buttons send them too) is the command it names; ``/mydata`` typed as on
Telegram works as well. Texts are passed through exactly as typed: the engine escapes them
when it quotes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from linebot.v3.webhooks import (
    AudioMessageContent,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)

from bot.line.webhook import LineEvent
from flows.address import Address, address
from flows.model import Inbound, InboundKind

# Words a family types (or a rich-menu button sends) instead of a slash command, compared
# after NFKC, case folding and without spaces: the whole message must be the word.
COMMAND_WORDS: dict[str, str] = {
    "メニュー": "menu",
    "めにゅー": "menu",
    "menu": "menu",
    "マイデータ": "mydata",
    "私のデータ": "mydata",
    "mydata": "mydata",
    "データ削除": "withdraw",
    "データを削除": "withdraw",
    "同意撤回": "withdraw",
    "同意の撤回": "withdraw",
    "withdraw": "withdraw",
    "deletemydata": "withdraw",
    "ヘルプ": "help",
    "使い方": "help",
    "help": "help",
    "相談を申し込む": "request",
    "相談申し込み": "request",
    "request": "request",
    "窓口": "offices",
    "offices": "offices",
    "言語": "language",
    "language": "language",
    "キャンセル": "cancel",
    "cancel": "cancel",
    "はじめから": "start",
    "最初から": "start",
    "start": "start",
}

# "/mydata", "/reply K-0042 text": the same command words as the other channels.
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:\s+(.*))?$", re.DOTALL)

# LINE's kinds of message → the names the engine words its "please write" answer from.
_UNSUPPORTED: tuple[tuple[type[object], str], ...] = (
    (StickerMessageContent, "sticker"),
    (ImageMessageContent, "photo"),
    (VideoMessageContent, "video"),
    (AudioMessageContent, "audio"),
    (FileMessageContent, "document"),
    (LocationMessageContent, "location"),
)


@dataclass(frozen=True)
class Step:
    """Run the engine on this."""

    inbound: Inbound
    reply_token: str | None
    # A follow: the family is reachable again.
    follows: bool = False


@dataclass(frozen=True)
class Unfollow:
    """The family blocked the account: nothing more is pushed to them."""

    user: Address


@dataclass(frozen=True)
class Ignore:
    """Nothing to answer (a group, a room, a kind that is nobody talking)."""


Action = Step | Unfollow | Ignore


def command_word(text: str) -> str | None:
    """The command a typed word stands for, or None when it is just a message."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return COMMAND_WORDS.get("".join(folded.split()).strip("。.!！"))


def to_action(event: LineEvent) -> Action:
    """What to do with one event."""
    if getattr(event, "mode", "active") == "standby":
        # Another channel (a module) holds the chat now; it answers, not the desk.
        return Ignore()
    source = getattr(event, "source", None)
    if not isinstance(source, UserSource) or not source.user_id:
        return Ignore()
    user = address("line", source.user_id)
    token = getattr(event, "reply_token", None) or None
    if isinstance(event, UnfollowEvent):
        return Unfollow(user)
    if isinstance(event, FollowEvent):
        # The engine's /start: the welcome, with the note on emergencies.
        return Step(_inbound(user, "command", command="start"), token, follows=True)
    if isinstance(event, PostbackEvent):
        data = event.postback.data or ""
        match = _COMMAND.match(data.strip())
        if match is not None:
            # A rich-menu button sending its command as postback data ("/mydata").
            word, args = match.groups()
            return Step(
                _inbound(user, "command", command=word.lower(), text=(args or "").strip()), token
            )
        return Step(_inbound(user, "button", button=data), token)
    if isinstance(event, MessageEvent):
        message = event.message
        if isinstance(message, TextMessageContent):
            return Step(_from_text(user, message.text or ""), token)
        what = next((name for kind, name in _UNSUPPORTED if isinstance(message, kind)), "other")
        return Step(_inbound(user, "unsupported", unsupported_what=what), token)
    return Ignore()


def _from_text(user: Address, text: str) -> Inbound:
    match = _COMMAND.match(text.strip())
    if match is not None:
        word, args = match.groups()
        return _inbound(user, "command", command=word.lower(), text=(args or "").strip())
    word = command_word(text)
    if word is not None:
        return _inbound(user, "command", command=word)
    return _inbound(user, "text", text=text)


def _inbound(
    user: Address,
    kind: InboundKind,
    *,
    text: str = "",
    command: str | None = None,
    button: str | None = None,
    unsupported_what: str | None = None,
) -> Inbound:
    return Inbound(
        channel="line",
        user_id=user,
        chat_id=user,
        chat_type="private",
        kind=kind,
        text=text,
        command=command,
        button=button,
        unsupported_what=unsupported_what,
    )
