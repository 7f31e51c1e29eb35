"""The LINE pieces together over real sockets: a signed event in, stored, answered by reply.

The engine's part is played by a small echo here; what is checked is the path around it:
the webhook serves on the configured port, events are kept before LINE gets its 200, a
redelivered event is recognisable by its id, and the answer goes out through the SDK to the
fake LINE API, by reply token and within LINE's limits.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence

import aiohttp
import pytest
from linebot.v3.messaging import AsyncMessagingApi
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent
from pydantic import SecretStr

from bot.line.client import LineSender, event_source, messaging_client
from bot.line.config import LineSettings
from bot.line.render import render
from bot.line.webhook import ReceivedEvent, start_webhook
from flows.model import Button, Reply
from tests.fake_line_api import (
    FakeLineAPI,
    postback_event,
    signature,
    sticker_event,
    text_event,
    webhook_body,
)

SECRET = "fedcba9876543210fedcba9876543210"
USER = "U" + "6" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """Stores events once per webhookEventId, as the real store is to."""

    def __init__(self) -> None:
        self.kept: dict[str, ReceivedEvent] = {}
        self.queue: asyncio.Queue[ReceivedEvent] = asyncio.Queue()

    async def __call__(self, events: Sequence[ReceivedEvent]) -> None:
        for event in events:
            if event.event_id not in self.kept:
                self.kept[event.event_id] = event
                self.queue.put_nowait(event)


@pytest.fixture
async def desk() -> AsyncIterator[tuple[FakeLineAPI, LineSettings, Inbox, LineSender]]:
    async with FakeLineAPI() as api:
        settings = LineSettings(
            channel_secret=SecretStr(SECRET),
            channel_access_token=SecretStr(api.access_token),
            api_base_url=api.base_url,
            webhook_port=free_port(),
        )
        inbox = Inbox()
        runner = await start_webhook(settings, inbox)
        try:
            async with messaging_client(settings) as client:
                yield api, settings, inbox, LineSender(AsyncMessagingApi(client), timeout=5)
        finally:
            await runner.cleanup()


async def deliver(settings: LineSettings, body: bytes, sign_with: str = SECRET) -> int:
    url = f"http://{settings.webhook_host}:{settings.webhook_port}/line/webhook"
    headers = {"X-Line-Signature": signature(sign_with, body), "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status


def echo(event: ReceivedEvent) -> list[Reply]:
    found = event.event
    if isinstance(found, MessageEvent) and isinstance(found.message, TextMessageContent):
        return [
            Reply(
                text=f"「{found.message.text}」",
                buttons=((Button(label="はい", data="yes", role="confirm"),
                          Button(label="いいえ", data="no", role="cancel")),),
            )
        ]
    if isinstance(found, PostbackEvent):
        return [Reply(text=f"pressed {found.postback.data}")]
    return [Reply(text="文字で書いてください")]


async def answer_all(inbox: Inbox, sender: LineSender, count: int) -> None:
    for _ in range(count):
        event = await asyncio.wait_for(inbox.queue.get(), 5)
        found = event.event
        token = sender.token(found.reply_token) if getattr(found, "reply_token", None) else None
        user = found.source.user_id
        await sender.send(
            user, render(echo(event)), source=event_source(event.event_id), reply_token=token
        )


async def test_a_signed_event_is_kept_then_answered_by_reply(
    desk: tuple[FakeLineAPI, LineSettings, Inbox, LineSender],
) -> None:
    api, settings, inbox, sender = desk
    body = webhook_body(text_event(api, USER, "<b>胃ろう</b>の相談"), sticker_event(api, USER))
    assert await deliver(settings, body) == 200
    assert len(inbox.kept) == 2  # kept before the 200 was sent
    await answer_all(inbox, sender, 2)
    assert api.texts(USER) == ["「<b>胃ろう</b>の相談」", "文字で書いてください"]
    assert [s.via for s in api.sent] == ["reply", "reply"]
    chips = api.messages(USER)[0]["quickReply"]["items"]
    assert [c["action"]["data"] for c in chips] == ["yes", "no"]


async def test_a_redelivered_event_is_answered_once(
    desk: tuple[FakeLineAPI, LineSettings, Inbox, LineSender],
) -> None:
    api, settings, inbox, sender = desk
    first = postback_event(api, USER, "consent:yes", event_id="01REDELIVERED0000000000000")
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    assert await deliver(settings, webhook_body(first)) == 200
    assert await deliver(settings, webhook_body(again)) == 200
    assert len(inbox.kept) == 1
    await answer_all(inbox, sender, 1)
    assert inbox.queue.empty()
    assert api.texts(USER) == ["pressed consent:yes"]


async def test_a_forged_event_has_no_effect(
    desk: tuple[FakeLineAPI, LineSettings, Inbox, LineSender],
) -> None:
    api, settings, inbox, _ = desk
    body = webhook_body(text_event(api, USER, "forged"))
    assert await deliver(settings, body, sign_with="0" * 32) == 401
    assert inbox.kept == {} and api.sent == []


async def test_the_profile_language_is_read_when_line_tells_it(
    desk: tuple[FakeLineAPI, LineSettings, Inbox, LineSender],
) -> None:
    api, _, _, sender = desk
    api.languages[USER] = "en"
    assert await sender.language(USER) == "en"
    other = "U" + "d" * 32
    assert await sender.language(other) is None  # a profile with no language
    api.forget(other)
    assert await sender.language(other) is None  # LINE does not know the person: 404
