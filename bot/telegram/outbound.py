"""Telegram's side of the outbound port: pushes through ``send_reply``, errors as the
port's kinds.

PTB's rate limiter on the same bot already waits a RetryAfter out a few times; what still
comes back as RetryAfter holds the whole bot, so it pauses the channel. The reasons given
are the error types only: Telegram's descriptions may quote the refused text.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.outbound import (
    BeforePart,
    EditTargetGone,
    Outbound,
    Refused,
    Rejected,
    TryLater,
    own_id,
)
from bot.pacing import Limits
from bot.telegram.render import answer_button, retry_after_seconds, send_reply
from flows.address import Address, Channel
from flows.model import Reply

log = logging.getLogger(__name__)


class TelegramOutbound(Outbound):
    """The outbound port for Telegram."""

    def __init__(self, bot: Bot, limits: Limits | None = None) -> None:
        self.bot = bot
        self._limits = limits or Limits()

    @property
    def channel(self) -> Channel:
        return "telegram"

    @property
    def can_edit(self) -> bool:
        return True

    @property
    def limits(self) -> Limits:
        return self._limits

    async def send(
        self, to: Address, reply: Reply, *, key: str, before_part: BeforePart | None = None
    ) -> int | None:
        # Telegram has no idempotency key to give it: the worker marks a row sent right
        # after Telegram accepted it instead.
        own_id("telegram", to)
        try:
            return await send_reply(self.bot, reply, to, before_part=before_part)
        except RetryAfter as error:
            raise TryLater("RetryAfter", retry_after_seconds(error), pause_channel=True) from None
        except Forbidden:
            # Never opened a private chat with the bot, or blocked it.
            raise Refused("Forbidden") from None
        except BadRequest as error:
            text = str(error).lower()
            if reply.edit_message_id is not None and "message to edit not found" in text:
                raise EditTargetGone("BadRequest") from None
            if "chat not found" in text:
                raise Refused("BadRequest") from None
            raise Rejected("BadRequest") from None
        except ChatMigrated:
            log.error("the group became a supergroup; set TSUNAGU_COORDINATORS_CHAT to its new id")
            raise TryLater("ChatMigrated") from None
        except (NetworkError, TelegramError) as error:  # TimedOut is a NetworkError
            raise TryLater(type(error).__name__) from None

    async def acknowledge(self, press: str, toast: str | None) -> None:
        await answer_button(self.bot, press, toast)
