"""LINE's webhook: only signed requests count, events are kept before the answer, ids pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent

from bot.line.webhook import ReceivedEvent, parse_event, webhook_app

SECRET = "0123456789abcdef0123456789abcdef"
USER = "U" + "3" * 32
SECRET_WORDS = "娘の胃ろうが抜けました"


def sign(body: bytes, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def event(kind: str, event_id: str, *, redelivery: bool = False, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1764576000000,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": redelivery},
        **fields,
    }


def text_event(event_id: str, text: str = SECRET_WORDS, **kw: Any) -> dict[str, Any]:
    return event(
        "message",
        event_id,
        replyToken="r" * 32,
        message={"type": "text", "id": "468789577898262530", "quoteToken": "q", "text": text},
        **kw,
    )


def body_of(*events: dict[str, Any]) -> bytes:
    return json.dumps(
        {"destination": "U" + "f" * 32, "events": list(events)}, ensure_ascii=False
    ).encode()


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[ReceivedEvent]] = []
        self.fail = fail

    async def __call__(self, events: Sequence[ReceivedEvent]) -> None:
        if self.fail:
            raise OSError("disk full")
        self.batches.append(list(events))

    @property
    def events(self) -> list[ReceivedEvent]:
        return [e for batch in self.batches for e in batch]


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
async def client(store: Store) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(webhook_app(SECRET, store))) as test_client:
        yield test_client


async def post(client: TestClient[Any, Any], body: bytes, signature: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Line-Signature"] = signature
    answer = await client.post("/line/webhook", data=body, headers=headers)
    return answer.status, await answer.text()


async def test_signed_events_are_stored_and_answered(
    client: TestClient[Any, Any], store: Store
) -> None:
    body = body_of(
        event("follow", "01FOLLOW", replyToken="t" * 32, follow={"isUnblocked": False}),
        text_event("01TEXT"),
        event("postback", "01POSTBACK", replyToken="p" * 32, postback={"data": "consent:yes"}),
    )
    assert (await post(client, body, sign(body)))[0] == 200
    [batch] = store.batches
    assert [e.event_id for e in batch] == ["01FOLLOW", "01TEXT", "01POSTBACK"]
    follow, message, postback = (e.event for e in batch)
    assert isinstance(follow, FollowEvent)
    assert isinstance(message, MessageEvent)
    assert isinstance(message.message, TextMessageContent)
    assert message.message.text == SECRET_WORDS
    assert isinstance(postback, PostbackEvent) and postback.postback.data == "consent:yes"
    assert not any(e.redelivery for e in batch)


async def test_forged_signature_is_refused_without_effect_or_log(
    client: TestClient[Any, Any], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = body_of(text_event("01FORGED"))
    status, _ = await post(client, body, sign(body, secret="f" * 32))
    assert status == 401
    tampered = body.replace(b"01FORGED", b"01FORGEX")
    assert (await post(client, tampered, sign(body)))[0] == 401
    assert store.batches == []
    assert SECRET_WORDS not in caplog.text
    assert "01FORGED" not in caplog.text


async def test_unsigned_request_is_refused(
    client: TestClient[Any, Any], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = body_of(text_event("01UNSIGNED"))
    assert (await post(client, body, None))[0] == 400
    assert (await post(client, body, ""))[0] == 400
    assert store.batches == []
    assert SECRET_WORDS not in caplog.text


async def test_signed_garbage_is_a_400(client: TestClient[Any, Any], store: Store) -> None:
    for body in (b"not json", b'{"destination": "x"}', "\u00ff".encode("latin-1")):
        assert (await post(client, body, sign(body)))[0] == 400
    assert store.batches == []


async def test_redelivered_event_keeps_its_id(client: TestClient[Any, Any], store: Store) -> None:
    first = body_of(text_event("01SAME"))
    again = body_of(text_event("01SAME", redelivery=True))
    assert (await post(client, first, sign(first)))[0] == 200
    assert (await post(client, again, sign(again)))[0] == 200
    assert [(e.event_id, e.redelivery) for e in store.events] == [
        ("01SAME", False),
        ("01SAME", True),
    ]


async def test_verify_request_with_no_events(client: TestClient[Any, Any], store: Store) -> None:
    body = body_of()
    assert (await post(client, body, sign(body)))[0] == 200
    assert store.batches == []


async def test_events_not_stored_are_not_acknowledged() -> None:
    async with TestClient(TestServer(webhook_app(SECRET, Store(fail=True)))) as failing:
        body = body_of(text_event("01LOST"))
        assert (await post(failing, body, sign(body)))[0] == 500


async def test_stored_json_reads_back_and_unknown_kinds_pass(
    client: TestClient[Any, Any], store: Store
) -> None:
    body = body_of(text_event("01KEEP"), event("somethingNew", "01NEW"))
    assert (await post(client, body, sign(body)))[0] == 200
    kept, new = store.events
    assert isinstance(new.event, UnknownEvent) and new.event_id == "01NEW"
    again = parse_event(json.loads(json.dumps(kept.raw)))
    assert isinstance(again, MessageEvent) and again.webhook_event_id == "01KEEP"
    assert isinstance(parse_event(new.raw), UnknownEvent)
