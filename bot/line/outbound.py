"""LINE's side of the outbound port: pushes through :class:`bot.line.client.LineSender`.

Every push of a send is keyed on the ``key`` the worker gives (an outbox row's id) and the
position of its batch, so a send tried again after a timeout, a 5xx or a 429 reaches the
family once: LINE answers 409 for a key it accepted before. LINE cannot edit a message; a
reply meant to replace an earlier one goes out as a new message (bot/line/render.py).
Buttons of a push always stay in the conversation (a Flex message): a family may read a
push hours later, or on LINE for PC, where quick replies would be gone or never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Container

from bot.line.client import LineSender, PermanentLineError, RetryableLineError
from bot.line.render import render
from bot.outbound import BeforePart, Outbound, Refused, Rejected, TryLater, own_id
from bot.pacing import Limits
from flows.address import Address, Channel
from flows.model import Reply

log = logging.getLogger(__name__)

# LINE's rate limits are per channel and endpoint (2,000 requests a second for pushes), not
# per chat, and families on LINE are always single people, so the group limits never
# apply. The desk stays far below it: a hundred pushes a second overall is more than a
# ward's families ever need at once and leaves the webhook's replies room; a fifth of a
# second between two pushes to one family keeps a burst of several messages in the order
# it was queued without holding anyone up noticeably.
LINE_LIMITS = Limits(chat_interval=0.2, overall_interval=1 / 100)

# What LINE answers a push it will never deliver to that person: 400 naming the ``to``
# property (an id this channel does not know), 403 (not allowed to message them), 404.
_UNREACHABLE_STATUSES = frozenset({403, 404})


class LineOutbound(Outbound):
    """The outbound port for LINE."""

    def __init__(
        self,
        sender: LineSender,
        limits: Limits | None = None,
        *,
        unfollowed: Container[str] = frozenset(),
    ) -> None:
        self.sender = sender
        self._limits = limits or LINE_LIMITS
        # Families who blocked the account (kept current by the inbox): pushes give up at once.
        self.unfollowed = unfollowed

    @property
    def channel(self) -> Channel:
        return "line"

    @property
    def can_edit(self) -> bool:
        return False

    @property
    def limits(self) -> Limits:
        return self._limits

    async def send(
        self, to: Address, reply: Reply, *, key: str, before_part: BeforePart | None = None
    ) -> int | None:
        user = own_id("line", to)
        if user in self.unfollowed:
            # LINE would take the push and show it to nobody: a family who blocked the account.
            raise Refused("the family unfollowed the LINE account")
        try:
            batches = render([reply.model_copy(update={"keep_buttons": True})])
        except ValueError as error:
            # Button data over LINE's limit or more buttons than a message shows: a mistake
            # of ours that a retry would repeat.
            log.error("a push could not be laid out for LINE (%s)", type(error).__name__)
            raise Rejected(type(error).__name__) from None
        # LINE's message ids cannot be edited later, so none is handed back.
        for index in range(len(batches)):
            if index and before_part is not None:
                await before_part()
            try:
                # One batch per call, so each further one is paced like a message; the
                # retry keys follow the batch's position whatever the call.
                await self.sender.send(user, batches[: index + 1], source=key, start=index)
            except RetryableLineError as error:
                raise TryLater(
                    _reason(error),
                    error.retry_after,
                    delivered=index,
                    pause_channel=error.status == 429,
                ) from None
            except PermanentLineError as error:
                if _unreachable(error):
                    raise Refused(_reason(error), delivered=index) from None
                raise Rejected(_reason(error), delivered=index) from None
        return None

    async def acknowledge(self, press: str, toast: str | None) -> None:
        # A postback needs no answer on LINE (there is no spinner to stop, nor toasts).
        return None


def _reason(error: RetryableLineError | PermanentLineError) -> str:
    return f"LINE {error.status}" if error.status is not None else "LINE unreachable"


def _unreachable(error: PermanentLineError) -> bool:
    if error.status in _UNREACHABLE_STATUSES:
        return True
    return error.status == 400 and "'to'" in str(error)
