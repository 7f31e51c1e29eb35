"""Values that cross the seam between the drivers and the engine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from content.base import Locale
from flows import callbacks
from flows.address import Address, Channel, ValidAddress, channel_of, ident_of
from flows.text import Html, check_markup, esc, plain

DEFAULT_LOCALE: Locale = "ja"

# What every channel carries as a button's data: Telegram's 64 bytes of callback data, the
# smallest, are also within LINE's 300 characters of postback data.
MAX_BUTTON_DATA_BYTES = callbacks.MAX_BYTES

# A reply the engine composes from many parts (a request's summary) is cut into messages
# of about this many characters: a few screens on a phone, and under every channel's limit
# for one message. Drivers split anything longer (a staff-written answer, say) themselves.
READABLE_REPLY_CHARS = 4000


def locale_from_language_code(code: str | None) -> Locale:
    """Japanese unless the client says English: the desk serves Chiyoda families first."""
    if code and code.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def _reply_html(value: object) -> str:
    # The one place every reply passes: only Html is taken as markup, a plain str is text,
    # and markup outside the neutral subset is refused here rather than by a channel.
    return check_markup(str(value if isinstance(value, Html) else esc(value)))


def _plain_text(value: object) -> object:
    return plain(value) if isinstance(value, str) else value


ReplyHtml = Annotated[str, BeforeValidator(_reply_html)]
# Button labels and toasts are shown as they are: Html given for one is rendered to text.
PlainText = Annotated[str, BeforeValidator(_plain_text)]


# What a button is for, so that each driver can lay it out within its channel's limits:
# choice   picks an answer to the question just asked (a language, a topic, a step's option);
# confirm  goes ahead with what the message proposes (agree, send, yes delete);
# cancel   backs out of it, nothing changes (no, keep, change my answer);
# navigate moves elsewhere in the desk (menu, offices, topics, continue a request);
# action   does something to a record (a coordinator's ticket, a need, staff's FAQ work);
# stop     ends a kind of message for good (the stage-of-growth messages).
ButtonRole = Literal["choice", "confirm", "cancel", "navigate", "action", "stop"]


def _button_data(value: str) -> str:
    # Checked where every button is made, so no channel is ever handed one it refuses.
    if len(value.encode()) > MAX_BUTTON_DATA_BYTES:
        raise ValueError(f"button data is over {MAX_BUTTON_DATA_BYTES} bytes")
    return value


class Button(BaseModel):
    """A button: what it says, what comes back when it is pressed, and what it is for."""

    model_config = ConfigDict(frozen=True)

    label: PlainText
    data: Annotated[str, AfterValidator(_button_data)]
    role: ButtonRole

    @model_validator(mode="before")
    @classmethod
    def _saved_before_roles(cls, value: Any) -> Any:
        # An answer saved for a redelivered update before buttons had roles.
        if isinstance(value, dict) and "role" not in value and "label" in value:
            return {**value, "role": "choice"}
        return value


# Rows of buttons as the flow would like them; a driver may lay them out otherwise.
Keyboard = tuple[tuple[Button, ...], ...]


class Reply(BaseModel):
    """One message to send.

    ``text`` is the neutral markup of flows/text.py (``<b>``, ``<i>``, ``<code>``,
    ``<a href>``, line breaks, ``•`` items) that each driver renders for its channel: given
    as :class:`~flows.text.Html` it is taken as written (and refused if it is not that
    markup), given as a plain ``str`` it is escaped whole, so nothing a person typed becomes
    markup. ``chat_id`` None means the chat the inbound came from.
    """

    model_config = ConfigDict(frozen=True)

    text: ReplyHtml
    buttons: Keyboard = ()
    # The buttons must stay usable after later messages (a ticket's actions in the
    # coordinators' group, a reminder's choices, a milestone's stop button); otherwise they
    # are a one-time choice, answered now or not at all, and a channel may show them only
    # until the next message.
    keep_buttons: bool = False
    chat_id: ValidAddress | None = None
    # Replace the text and buttons of this earlier message of the bot instead of sending a
    # new one (the coordinators' group message after a ticket is claimed, say). A channel
    # that cannot edit sends the reply as a new message.
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
    # A short notice after a button press, seen by the person who pressed only (Telegram's
    # answer to a button). Channels without such a notice drop it, so whatever the person
    # needs to know is also in a reply, or, in the coordinators' group, on the card the
    # button sits on (who holds the ticket, whether it is closed).
    toast: PlainText | None = None
