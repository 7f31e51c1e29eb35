"""Values that cross the seam between the drivers and the engine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from content.base import Locale
from flows.address import Address, Channel, ValidAddress, channel_of, ident_of
from flows.text import Html, esc, plain

DEFAULT_LOCALE: Locale = "ja"

# Telegram refuses longer texts; flows keep their own replies below it and the
# drivers split anything longer (a staff-written answer, say) on line breaks.
MAX_MESSAGE_CHARS = 4096


def locale_from_language_code(code: str | None) -> Locale:
    """Japanese unless the client says English: the desk serves Chiyoda families first."""
    if code and code.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def _reply_html(value: object) -> str:
    # The one place every reply passes: only Html is taken as markup, a plain str is text.
    return str(value if isinstance(value, Html) else esc(value))


def _plain_text(value: object) -> object:
    return plain(value) if isinstance(value, str) else value


ReplyHtml = Annotated[str, BeforeValidator(_reply_html)]
# Button labels and toasts are shown as they are: Html given for one is rendered to text.
PlainText = Annotated[str, BeforeValidator(_plain_text)]


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: PlainText
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


class Reply(BaseModel):
    """One message to send.

    ``text`` is HTML of the small subset Telegram reads (``<b>``, ``<i>``, ``<a href>``,
    ``<code>``): given as :class:`~flows.text.Html` it is taken as written, given as a plain
    ``str`` it is escaped whole (flows/text.py), so nothing a person typed becomes markup.
    ``chat_id`` None means the chat the inbound came from.
    """

    model_config = ConfigDict(frozen=True)

    text: ReplyHtml
    buttons: Keyboard = ()
    chat_id: ValidAddress | None = None
    # Replace the text and buttons of this earlier message of the bot instead of sending a
    # new one (the coordinators' group message after a ticket is claimed, say).
    edit_message_id: int | None = None


InboundKind = Literal["text", "command", "button", "unsupported"]
ChatType = Literal["private", "group", "supergroup", "channel"]


class Inbound(BaseModel):
    """What a person did, as the engine sees it, whatever the channel."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    user_id: ValidAddress
    chat_id: ValidAddress
    chat_type: ChatType = "private"
    kind: InboundKind
    # text: the message; command: the arguments after the command word.
    text: str = ""
    # Lower-case command word without the slash or a trailing @botname.
    command: str | None = None
    # Callback data of a pressed button, exactly as received (still untrusted).
    button: str | None = None
    # What the client says the person's language is (Telegram's language_code).
    language_code: str | None = None
    # Which kind of non-text message it was (sticker, photo, voice...), for wording only.
    unsupported_what: str | None = None
    # button: the id of the message that carries the button (to edit it in place).
    message_id: int | None = None
    # text or command sent as a reply to one of the bot's own messages: that message's text
    # (a coordinator answering a ticket's message; the reference is read from it).
    reply_to_text: str | None = None
    # The name the client shows for the person; used for coordinators on the roster only.
    display_name: str | None = None

    @model_validator(mode="after")
    def _one_channel(self) -> Inbound:
        if channel_of(self.user_id) != self.channel or channel_of(self.chat_id) != self.channel:
            raise ValueError("the person and the chat must be on the inbound's channel")
        return self

    @property
    def session_key(self) -> str:
        # channel:chat:person, as it always was: ids never hold ':' and a chat's people are
        # on its channel, so keys cannot collide and those saved before addresses still fit.
        return session_key(self.chat_id, self.user_id)


def session_key(chat_id: Address, user_id: Address) -> str:
    return f"{chat_id}:{ident_of(user_id)}"


class Session(BaseModel):
    """A conversation's saved state. Stored as JSON beside the step that produced it."""

    key: str
    locale: Locale | None = None
    state: str = "idle"
    data: dict[str, Any] = Field(default_factory=dict)
    updated_at: datetime | None = None


class Outcome(BaseModel):
    replies: list[Reply]
    session: Session
    # Short text for the little notice Telegram shows after a button press.
    toast: PlainText | None = None
