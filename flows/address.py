"""Who a message comes from or goes to, on any channel.

An address is the channel's name and the channel's own id of a person or a chat, as one
string: ``telegram:123456`` (a person), ``telegram:-1001234`` (the coordinators' group),
``line:U4af4980629…`` (a family on LINE), ``console:1``. Telegram's ids are numbers and
LINE's are strings, so the engine and the database keep the whole address as text and
only the driver of the channel reads the id inside it. One string, not a pair, keeps an
address usable as a key (sessions, pacing, the outbox) and as one column.
"""

from __future__ import annotations

from typing import Annotated, Literal, NewType, get_args

from pydantic import AfterValidator

Channel = Literal["telegram", "line", "console"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)

Address = NewType("Address", str)


class BadAddress(ValueError):
    """Text that is not ``channel:id`` of a known channel."""


def address(channel: Channel, ident: str | int) -> Address:
    text = str(ident).strip()
    if channel not in CHANNELS or not text or ":" in text or any(c.isspace() for c in text):
        raise BadAddress(f"not an id of {channel!r}")
    if channel == "telegram":
        int(text)  # a Telegram id is a number, positive for people, negative for groups
    return Address(f"{channel}:{text}")


def parse_address(text: str) -> Address:
    """An address read back from storage or configuration; :class:`BadAddress` if not one."""
    channel, sep, ident = text.partition(":")
    if not sep or channel not in CHANNELS:
        raise BadAddress("not an address")
    try:
        return address(channel, ident)  # checked just above
    except ValueError as error:
        raise BadAddress("not an address") from error


def channel_of(where: Address) -> Channel:
    channel = where.partition(":")[0]
    if channel not in CHANNELS:
        raise BadAddress("not an address")
    return channel


def ident_of(where: Address) -> str:
    """The channel's own id inside the address, for its driver only."""
    return where.partition(":")[2]


def telegram_id(where: Address) -> int:
    """The number Telegram's API wants; :class:`BadAddress` for any other channel."""
    if channel_of(where) != "telegram":
        raise BadAddress("not a Telegram address")
    return int(ident_of(where))


def is_group(where: Address) -> bool:
    """A group chat rather than a person (Telegram gives groups negative ids; families on
    LINE are always people: the desk does not serve LINE groups)."""
    return channel_of(where) == "telegram" and ident_of(where).startswith("-")


def typed_address(text: str) -> Address:
    """A person's id as staff type it in a command: a bare number is a Telegram id (as it
    always was), anything else must be a whole address such as ``line:U4af…``."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return address("telegram", text)
    return parse_address(text)


# A field of a record that holds an address: checked whenever one is built or read back.
ValidAddress = Annotated[Address, AfterValidator(parse_address)]


def typed_form(where: Address) -> str:
    """How staff see and type an address: a Telegram id as its bare number, anything else
    whole (the inverse of :func:`typed_address`)."""
    return ident_of(where) if channel_of(where) == "telegram" else where
