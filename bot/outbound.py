"""The outbound port: how the desk pushes a message to a person or chat on any channel.

Everything that is not the immediate answer to what someone just did goes through here:
the outbox worker (tickets, relays, shares, milestone messages), the desk's reminders, and
every later push. Each driver implements :class:`Outbound` for its channel (Telegram,
LINE); the worker keeps one code path for retries, back-off and giving up, and asks the
channel only how fast it may send (:attr:`Outbound.limits`) and whether it can edit.

A driver turns its API's errors into the four kinds below, so the worker never needs to
know which messenger refused what.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.pacing import Limits
from flows.address import Address, BadAddress, Channel, channel_of, ident_of
from flows.model import Reply

# Called before each further part of a long reply, so the parts share the chat's pace.
BeforePart = Callable[[], Awaitable[None]]


def outbox_key(row_id: int) -> str:
    """The ``key`` of an outbox row's send: its id, which every retry of the row keeps."""
    return f"outbox:{row_id}"


class SendFailure(Exception):
    """A send that did not go out. ``delivered`` says how many parts of a long reply did
    before it failed, so a retry can start after them."""

    def __init__(self, reason: str, *, delivered: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delivered = delivered


class TryLater(SendFailure):
    """Rate limited, a network error, a timeout or the channel's 5xx: send again later.
    ``seconds`` is the wait the channel asked for (429 Retry-After, Telegram's
    RetryAfter); None means the worker's own back-off."""

    def __init__(self, reason: str, seconds: float | None = None, *, delivered: int = 0,
                 pause_channel: bool = False) -> None:
        super().__init__(reason, delivered=delivered)
        self.seconds = seconds
        # True when the wait applies to everything sent on the channel, not this chat alone.
        self.pause_channel = pause_channel


class Refused(SendFailure):
    """The person or chat will not take messages (blocked the bot, unfollowed, never
    opened a private chat, the chat is gone): give up and tell someone who can act."""


class Rejected(SendFailure):
    """The channel refused the request itself (a bad request): retrying fails the same
    way, so give up and log."""


class EditTargetGone(SendFailure):
    """The earlier message a reply was to replace no longer exists: nothing to update."""


class Outbound(Protocol):
    """One channel's sending side, as the outbox worker and the reminders use it."""

    @property
    def channel(self) -> Channel: ...

    @property
    def can_edit(self) -> bool:
        """Whether ``Reply.edit_message_id`` can replace an earlier message; a channel that
        cannot sends the reply as a new message instead."""
        ...

    @property
    def limits(self) -> Limits: ...

    async def send(self, to: Address, reply: Reply, *, key: str,
                   before_part: BeforePart | None = None) -> int | None:
        """Send ``reply`` to ``to`` (or edit in place where asked and possible).

        ``key`` names this send for the channel's idempotency (LINE's retry key): the
        same key sent again must not reach the person twice. ``before_part`` is awaited
        before each request after the first when a long reply takes several. Returns the
        id of the first message sent where the channel has ids to edit later, else None.
        Raises one of the :class:`SendFailure` kinds.
        """
        ...

    async def acknowledge(self, press: str, toast: str | None) -> None:
        """Answer a button press (``press`` is the channel's id of it), with a short toast
        where the channel shows one; a channel whose buttons need no answer does nothing."""
        ...


def own_id(channel: Channel, to: Address) -> str:
    """The channel's own id inside ``to``; :class:`Rejected` when ``to`` is another
    channel's or no address at all (a mistake of ours that a retry would repeat)."""
    try:
        if channel_of(to) == channel:
            return ident_of(to)
    except BadAddress:
        pass
    raise Rejected("BadAddress")
