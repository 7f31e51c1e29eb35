"""Sending to LINE: reply while the token lasts, push with a stable retry key, clear failures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, TextMessage
from pydantic import SecretStr

from bot.line.client import (
    LineSender,
    PermanentLineError,
    RetryableLineError,
    event_source,
    messaging_client,
    outbox_source,
    retry_key,
)
from bot.line.config import LineSettings
from bot.line.render import Batch, render
from flows.model import Reply
from tests.fake_line_api import FakeLineAPI, ManualClock

USER = "U" + "5" * 32




def settings_for(line_api: FakeLineAPI, token: str | None = None) -> LineSettings:
    return LineSettings(
        channel_secret=SecretStr("0123456789abcdef0123456789abcdef"),
        channel_access_token=SecretStr(token or line_api.access_token),
        api_base_url=line_api.base_url,
    )


@pytest.fixture
async def client(line_api: FakeLineAPI) -> AsyncIterator[AsyncApiClient]:
    async with messaging_client(settings_for(line_api)) as sdk:
        yield sdk


@pytest.fixture
def sender(client: AsyncApiClient, line_clock: ManualClock) -> LineSender:
    return LineSender(AsyncMessagingApi(client), clock=line_clock, timeout=5)


def batches(*texts: str) -> list[Batch]:
    return [[TextMessage(text=t)] for t in texts]


def test_retry_keys_are_stable_uuids() -> None:
    key = retry_key(outbox_source(41))
    assert uuid.UUID(key) and key == retry_key(outbox_source(41))
    assert key != retry_key(outbox_source(42))
    assert key != retry_key(outbox_source(41), 1)
    assert retry_key(event_source("01ABC")) != retry_key(outbox_source(41))


async def test_a_fresh_token_is_used_for_the_first_batch(
    line_api: FakeLineAPI, sender: LineSender
) -> None:
    token = sender.token(line_api.issue_reply_token(USER))
    replies = [Reply(text=f"第{n}報") for n in range(7)]
    how = await sender.send(USER, render(replies), source=event_source("01E"), reply_token=token)
    assert how == ["reply", "push"]
    assert [s.via for s in line_api.sent] == ["reply"] * 5 + ["push"] * 2
    assert line_api.texts(USER) == [f"第{n}報" for n in range(7)]
    pushed = [c for c in line_api.calls if c.path.endswith("/push")]
    assert [c.retry_key for c in pushed] == [retry_key(event_source("01E"), 1)]


async def test_a_stale_token_goes_straight_to_push(
    line_api: FakeLineAPI, sender: LineSender, line_clock: ManualClock
) -> None:
    token = sender.token(line_api.issue_reply_token(USER, ttl=3600))
    line_clock.now += sender.token_life + 1
    how = await sender.send(USER, batches("遅れて"), source=event_source("01S"), reply_token=token)
    assert how == ["push"]
    assert not any(c.path.endswith("/reply") for c in line_api.calls)
    assert line_api.texts(USER) == ["遅れて"]


async def test_a_refused_token_falls_back_to_push(
    line_api: FakeLineAPI, sender: LineSender
) -> None:
    spent = line_api.issue_reply_token(USER)
    assert await sender.send(USER, batches("一"), source="a", reply_token=sender.token(spent)) == [
        "reply"
    ]
    how = await sender.send(USER, batches("二"), source="b", reply_token=sender.token(spent))
    assert how == ["push"]
    assert [(s.via, s.message["text"]) for s in line_api.sent] == [("reply", "一"), ("push", "二")]


async def test_a_retried_push_is_sent_once(line_api: FakeLineAPI, sender: LineSender) -> None:
    source = outbox_source(7)
    assert await sender.send(USER, batches("お返事です"), source=source) == ["push"]
    # The answer was lost on the way back, say: the outbox tries the same row again.
    assert await sender.send(USER, batches("お返事です"), source=source) == ["already"]
    assert line_api.texts(USER) == ["お返事です"]
    keys = {c.retry_key for c in line_api.calls}
    assert keys == {retry_key(source, 0)}


async def test_429_is_retryable_with_its_wait(line_api: FakeLineAPI, sender: LineSender) -> None:
    line_api.fail_next(1, 429, retry_after=7)
    with pytest.raises(RetryableLineError) as caught:
        await sender.send(USER, batches("x"), source=outbox_source(1))
    assert (caught.value.status, caught.value.retry_after) == (429, 7.0)
    assert caught.value.delivered == 0
    assert await sender.send(USER, batches("x"), source=outbox_source(1)) == ["push"]
    assert line_api.texts(USER) == ["x"]


async def test_500_is_retryable_and_a_retry_resumes_after_what_went(
    line_api: FakeLineAPI, sender: LineSender
) -> None:
    sent = batches("一", "二", "三")
    assert await sender.send(USER, sent[:1], source=outbox_source(2)) == ["push"]
    line_api.fail_next(1, 500)
    with pytest.raises(RetryableLineError) as caught:
        await sender.send(USER, sent, source=outbox_source(2), start=1)
    assert caught.value.status == 500 and caught.value.retry_after is None
    assert caught.value.delivered == 1
    how = await sender.send(USER, sent, source=outbox_source(2), start=caught.value.delivered)
    assert how == ["push", "push"]
    assert line_api.texts(USER) == ["一", "二", "三"]


async def test_a_refused_message_is_permanent(line_api: FakeLineAPI, sender: LineSender) -> None:
    with pytest.raises(PermanentLineError) as caught:
        await sender.send("not-a-line-user", batches("x"), source=outbox_source(3))
    assert caught.value.status == 400
    assert "'to'" in str(caught.value)
    assert line_api.sent == []


async def test_a_wrong_token_is_permanent(line_api: FakeLineAPI) -> None:
    async with messaging_client(settings_for(line_api, "someone-elses-token")) as sdk:
        sender = LineSender(AsyncMessagingApi(sdk), timeout=5)
        with pytest.raises(PermanentLineError) as caught:
            await sender.send(USER, batches("x"), source=outbox_source(4))
    assert caught.value.status == 401


async def test_an_unreachable_api_is_retryable(line_api: FakeLineAPI, sender: LineSender) -> None:
    await line_api.stop()
    with pytest.raises(RetryableLineError) as caught:
        await sender.send(USER, batches("x"), source=outbox_source(5))
    assert caught.value.status is None
