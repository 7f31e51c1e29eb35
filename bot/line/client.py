"""Sending to LINE through the SDK's async client: reply while the token lasts, else push.

A reply token comes with each webhook event and may be used once, within about a minute; a
reply is free of the push path's retry question, so it is used while it is fresh, and LINE
refusing it (used, or expired on the way) falls back to a push. Every push carries an
``X-Line-Retry-Key`` derived from what is being sent (an outbox row's id, an event's id) and
the batch's position, so a push tried again after a timeout or a 5xx is sent once: LINE
answers 409 for a key it already accepted, which counts as delivered here.

Failures come out as two kinds: :class:`RetryableLineError` (429, 5xx, the network; with
LINE's Retry-After when it gave one) for the outbox to try again later, and
:class:`PermanentLineError` (any other 4xx) for it to give up on. Both say how many batches
had gone out before, so a retry starts after them instead of sending them twice. Logs carry
statuses and kinds only, never a message's text or a user id.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.line.config import LineSettings
from bot.line.render import Batch
from bot.outbound import outbox_key

log = logging.getLogger(__name__)

# Retry keys are UUIDs of this namespace and what is sent: stable across restarts.
RETRY_KEY_NAMESPACE = uuid.UUID("5b0e2a9c-1d4f-4c55-9a47-3f1d2b6c8e01")
# LINE keeps a reply token valid for about a minute after the event; a little less leaves
# room for the request's own time on the way.
REPLY_TOKEN_LIFE = 50.0
REQUEST_TIMEOUT = 15.0
# The welcome waits for the profile: a short wait leaves the reply token fresh.
PROFILE_TIMEOUT = 3.0

How = Literal["reply", "push", "already"]


def retry_key(source: str, batch: int = 0) -> str:
    """The ``X-Line-Retry-Key`` for batch ``batch`` of what ``source`` names."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{source}#{batch}"))


def outbox_source(message_id: int) -> str:
    """What an outbox row's pushes are keyed on: its id, which a retry keeps (the key the
    outbox worker gives every channel's ``send``)."""
    return outbox_key(message_id)


def event_source(webhook_event_id: str) -> str:
    """What the pushes answering an event are keyed on (its replies beyond the token)."""
    return f"event:{webhook_event_id}"


class LineSendError(Exception):
    def __init__(self, message: str, *, status: int | None, delivered: int) -> None:
        super().__init__(message)
        self.status = status
        # Batches that went out before this failure; a retry starts after them.
        self.delivered = delivered


class RetryableLineError(LineSendError):
    def __init__(
        self, message: str, *, status: int | None, delivered: int, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status, delivered=delivered)
        self.retry_after = retry_after


class PermanentLineError(LineSendError):
    pass


@dataclass(frozen=True)
class ReplyToken:
    token: str
    # When the event carrying it was received, on the sender's clock (monotonic seconds).
    received_at: float


def messaging_client(settings: LineSettings) -> AsyncApiClient:
    """The SDK's client for the configured API; close it (``async with``) when done."""
    assert settings.channel_access_token is not None
    configuration = Configuration(
        host=settings.sdk_host,
        access_token=settings.channel_access_token.get_secret_value(),
    )
    return AsyncApiClient(configuration)


class LineSender:
    def __init__(
        self,
        api: AsyncMessagingApi,
        *,
        token_life: float = REPLY_TOKEN_LIFE,
        timeout: float = REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.token_life = token_life
        self.timeout = timeout
        self.clock = clock

    def token(self, token: str) -> ReplyToken:
        """A reply token received now."""
        return ReplyToken(token, self.clock())

    async def send(
        self,
        to: str,
        batches: Sequence[Batch],
        *,
        source: str,
        reply_token: ReplyToken | None = None,
        start: int = 0,
        token_tried: bool = False,
    ) -> list[How]:
        """Send ``batches`` (from bot/line/render.py) to user ``to``, in order.

        The first batch uses ``reply_token`` while it is fresh; the others, and the first
        when the token is stale or refused, are pushed with retry keys from ``source``.
        ``start`` skips batches a failed attempt had already delivered. ``token_tried``: an
        earlier attempt may have replied with the token (its answer was lost, or the process
        stopped before noting it).
        """
        done: list[How] = []
        for index in range(start, len(batches)):
            batch = batches[index]
            try:
                if index == 0 and reply_token is not None and self._fresh(reply_token):
                    if await self._reply(reply_token.token, batch):
                        done.append("reply")
                        continue
                    if token_tried:
                        # A fresh token is refused once used, and only this desk holds it:
                        # the earlier attempt's reply went out. A push would show it twice.
                        log.info("LINE reply token used by an earlier attempt; not pushed")
                        done.append("already")
                        continue
                done.append(await self._push(to, batch, retry_key(source, index)))
            except LineSendError as error:
                error.delivered = index
                raise
        return done

    async def language(self, user_id: str) -> str | None:
        """The language the person's LINE app is set to ("en", "ja"…), when LINE tells it.

        LINE's events carry no language, so the welcome would always be Japanese; asked once
        when a family adds the account, the desk greets them in theirs. None when LINE does
        not say or cannot be reached now: the conversation starts in Japanese and 「言語」
        switches it.
        """
        try:
            async with asyncio.timeout(PROFILE_TIMEOUT):
                profile = await self.api.get_profile(user_id)
        except (ApiException, aiohttp.ClientError, TimeoutError) as exc:
            log.info("LINE profile not read (%s)", type(exc).__name__)
            return None
        return profile.language or None

    def _fresh(self, token: ReplyToken) -> bool:
        return self.clock() - token.received_at < self.token_life

    async def _reply(self, token: str, batch: Batch) -> bool:
        """True once sent; False when LINE refuses the token (then it is pushed instead)."""
        request = ReplyMessageRequest(reply_token=token, messages=list(batch))
        try:
            await self._call(self.api.reply_message(request))
        except ApiException as exc:
            if exc.status == 400 and "reply token" in _line_message(exc).lower():
                log.info("LINE reply token refused; pushing instead")
                return False
            raise _classified(exc) from None
        return True

    async def _push(self, to: str, batch: Batch, key: str) -> How:
        request = PushMessageRequest(to=to, messages=list(batch))
        try:
            await self._call(self.api.push_message(request, x_line_retry_key=key))
        except ApiException as exc:
            if exc.status == 409:
                # This retry key was accepted before: the messages went out then.
                return "already"
            raise _classified(exc) from None
        return "push"

    async def _call(self, request: Awaitable[object]) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await request
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("LINE API not reached (%s)", type(exc).__name__)
            raise RetryableLineError(
                f"LINE API not reached ({type(exc).__name__})", status=None, delivered=0
            ) from None


def _classified(exc: ApiException) -> LineSendError:
    status = int(exc.status or 0)
    if status == 429 or status >= 500:
        wait = _retry_after(exc)
        log.warning("LINE API answered %s; to be retried", status)
        return RetryableLineError(
            f"LINE API answered {status}", status=status, delivered=0, retry_after=wait
        )
    message = _line_message(exc)
    log.error("LINE API refused a message: %s %s", status, message)
    return PermanentLineError(
        f"LINE API refused the message ({status}: {message})", status=status, delivered=0
    )


def _line_message(exc: ApiException) -> str:
    """LINE's own explanation (``{"message": ...}``): about the request, never its content."""
    try:
        body = json.loads(exc.body or "{}")
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return str(message) if message else ""


def _retry_after(exc: ApiException) -> float | None:
    raw = exc.headers.get("Retry-After") if exc.headers else None
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
