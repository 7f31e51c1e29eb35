"""The outbound port: each driver's failures as the port's kinds, and the outbox worker
sending through the ports of the channels that run (LINE against the fake LINE API)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from linebot.v3.messaging import AsyncMessagingApi
from pydantic import SecretStr
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.jobs import start_job, stop_jobs
from bot.line.client import LineSender, messaging_client, outbox_source, retry_key
from bot.line.config import LineSettings
from bot.line.outbound import LINE_LIMITS, LineOutbound
from bot.outbound import (
    EditTargetGone,
    Outbound,
    Refused,
    Rejected,
    SendFailure,
    TryLater,
    outbox_key,
)
from bot.outbox_worker import OutboxWorker
from bot.pacing import Limits
from bot.telegram.outbound import TelegramOutbound
from flows.address import address
from flows.model import Button, Reply
from flows.text import Html
from tests.desk_world import GROUP, A, FakeBot, VirtualClock, World, make_ticket
from tests.fake_line_api import FakeLineAPI, ManualClock
from tests.fakes import FixedClock

FAMILY = "U" + "a" * 32
LINE_FAMILY = address("line", FAMILY)


# --- Telegram's errors as the port's kinds ---------------------------------------------------


def _telegram(*errors: TelegramError) -> tuple[TelegramOutbound, FakeBot]:
    bot = FakeBot(VirtualClock(FixedClock()))
    bot.fail.extend(errors)
    return TelegramOutbound(bot), bot  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Refused, "Forbidden"),
        (BadRequest("Bad Request: chat not found"), Refused, "BadRequest"),
        (BadRequest("Bad Request: message is too long"), Rejected, "BadRequest"),
        (ChatMigrated(-100_123), TryLater, "ChatMigrated"),
        (TimedOut(), TryLater, "TimedOut"),
        (NetworkError("bad gateway"), TryLater, "NetworkError"),
    ],
)
async def test_telegram_failures_become_the_ports_kinds(
    error: TelegramError, kind: type[SendFailure], reason: str
) -> None:
    outbound, _bot = _telegram(error)
    with pytest.raises(kind) as caught:
        await outbound.send(address("telegram", 5151), Reply(text="hi"), key=outbox_key(1))
    assert type(caught.value) is kind and caught.value.reason == reason
    if isinstance(caught.value, TryLater):
        # The worker's own back-off, for this chat only.
        assert caught.value.seconds is None and not caught.value.pause_channel


# retry_after_seconds falls back on RetryAfter.retry_after, which PTB deprecates as an int.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_retry_after_from_telegram_pauses_the_whole_channel() -> None:
    outbound, _bot = _telegram(RetryAfter(7))
    with pytest.raises(TryLater) as caught:
        await outbound.send(address("telegram", GROUP), Reply(text="hi"), key=outbox_key(1))
    assert caught.value.seconds == 7 and caught.value.pause_channel


async def test_an_edit_of_a_deleted_message_is_told_apart_from_other_refusals() -> None:
    edit = Reply(text="updated", edit_message_id=41)
    outbound, _bot = _telegram(BadRequest("Bad Request: message to edit not found"))
    with pytest.raises(EditTargetGone):
        await outbound.send(address("telegram", GROUP), edit, key=outbox_key(1))
    # The same words on a new message are a plain refusal: there was nothing to edit.
    outbound, _bot = _telegram(BadRequest("Bad Request: message to edit not found"))
    with pytest.raises(Rejected):
        await outbound.send(address("telegram", GROUP), Reply(text="new"), key=outbox_key(1))


async def test_telegram_sends_and_edits_and_takes_only_its_own_addresses() -> None:
    outbound, bot = _telegram()
    assert outbound.channel == "telegram" and outbound.can_edit
    first = await outbound.send(address("telegram", GROUP), Reply(text="one"), key="k")
    assert (
        await outbound.send(
            address("telegram", GROUP), Reply(text="two", edit_message_id=first), key="k"
        )
        == first
    )
    assert [(s.method, s.chat_id) for s in bot.sent] == [("send", GROUP), ("edit", GROUP)]
    with pytest.raises(Rejected):
        await outbound.send(LINE_FAMILY, Reply(text="hi"), key="k")
    assert len(bot.sent) == 2


# --- LINE's answers as the port's kinds ------------------------------------------------------


def _line_settings(api: FakeLineAPI) -> LineSettings:
    return LineSettings(
        channel_secret=SecretStr("0123456789abcdef0123456789abcdef"),
        channel_access_token=SecretStr(api.access_token),
        api_base_url=api.base_url,
    )


@pytest.fixture
async def line(line_api: FakeLineAPI, line_clock: ManualClock) -> AsyncIterator[LineOutbound]:
    async with messaging_client(_line_settings(line_api)) as sdk:
        yield LineOutbound(LineSender(AsyncMessagingApi(sdk), clock=line_clock, timeout=5))


def _push_keys(api: FakeLineAPI) -> list[tuple[int, str | None]]:
    return [(c.status, c.retry_key) for c in api.calls if c.path == "/v2/bot/message/push"]


async def test_line_pushes_cannot_edit_and_keep_their_buttons(
    line: LineOutbound, line_api: FakeLineAPI
) -> None:
    assert line.channel == "line" and not line.can_edit
    assert line.limits == LINE_LIMITS and line.limits.overall_interval < Limits().overall_interval
    reply = Reply(
        text=Html("<b>K-0007</b> was taken"),
        edit_message_id=3,
        buttons=((Button(label="Write to the desk", data="v1:rl:w:7", role="action"),),),
    )
    assert await line.send(LINE_FAMILY, reply, key=outbox_key(9)) is None
    [text, flex] = line_api.messages(FAMILY)
    assert text == {"type": "text", "text": "K-0007 was taken"}
    assert flex["type"] == "flex"  # a Flex message: still there when the family reads it
    assert _push_keys(line_api) == [(200, retry_key(outbox_source(9)))]


async def test_a_429_from_line_pauses_the_channel_and_the_retry_sends_once(
    line: LineOutbound, line_api: FakeLineAPI
) -> None:
    line_api.fail_next(1, 429, retry_after=30)
    with pytest.raises(TryLater) as caught:
        await line.send(LINE_FAMILY, Reply(text="hello"), key=outbox_key(5))
    assert caught.value.seconds == 30 and caught.value.pause_channel
    await line.send(LINE_FAMILY, Reply(text="hello"), key=outbox_key(5))
    # Sent again after a lost answer: LINE knows the key and sends nothing more.
    await line.send(LINE_FAMILY, Reply(text="hello"), key=outbox_key(5))
    assert line_api.texts(FAMILY) == ["hello"]
    key = retry_key(outbox_source(5))
    assert _push_keys(line_api) == [(429, key), (200, key), (409, key)]


async def test_a_line_5xx_is_tried_again_by_the_workers_back_off(
    line: LineOutbound, line_api: FakeLineAPI
) -> None:
    line_api.fail_next(1, 500)
    with pytest.raises(TryLater) as caught:
        await line.send(LINE_FAMILY, Reply(text="hello"), key=outbox_key(6))
    assert caught.value.seconds is None and not caught.value.pause_channel
    assert caught.value.reason == "LINE 500"


async def test_an_id_line_does_not_know_is_refused_and_a_bad_message_rejected(
    line: LineOutbound, line_api: FakeLineAPI
) -> None:
    line_api.forget(FAMILY)
    with pytest.raises(Refused):
        await line.send(LINE_FAMILY, Reply(text="hello"), key=outbox_key(7))
    # More buttons than a LINE message can show: a mistake of ours a retry would repeat.
    crowded = tuple((Button(label=f"{n}", data=f"v1:x:{n}", role="choice"),) for n in range(130))
    with pytest.raises(Rejected):
        await line.send(
            address("line", "U" + "b" * 32), Reply(text="hello", buttons=crowded), key=outbox_key(8)
        )
    with pytest.raises(Rejected):
        await line.send(address("telegram", 5151), Reply(text="hello"), key=outbox_key(8))
    assert line_api.sent == []


async def test_a_long_push_is_paced_batch_by_batch(
    line: LineOutbound, line_api: FakeLineAPI
) -> None:
    # Six texts of LINE's full length: two requests of at most five messages.
    text = "\n".join("あ" * 4999 for _ in range(6))
    paced: list[int] = []

    async def before_part() -> None:
        paced.append(len(line_api.sent))

    await line.send(LINE_FAMILY, Reply(text=text), key=outbox_key(11), before_part=before_part)
    assert paced == [5] and len(line_api.texts(FAMILY)) == 6
    assert [k for _, k in _push_keys(line_api)] == [
        retry_key(outbox_source(11), 0),
        retry_key(outbox_source(11), 1),
    ]


# --- the worker with the channels that run ----------------------------------------------------


def _worker(world: World, *outbounds: Outbound) -> OutboxWorker:
    worker = OutboxWorker(
        world.services,
        outbounds,
        world.worker.settings,
        clock=world.virtual,
        sleep=world.virtual.sleep,
    )
    world.worker = worker  # world.deliver() runs this one now
    return worker


def _telegram_of(world: World) -> TelegramOutbound:
    return TelegramOutbound(world.bot, world.limits)  # type: ignore[arg-type]


async def _taken(world: World, line: LineOutbound) -> None:
    """A request of a family on LINE, announced in the group and taken by coordinator A:
    a notice for the family is queued."""
    reference = await make_ticket(world, family=LINE_FAMILY)
    _worker(world, _telegram_of(world), line)
    [notice] = await world.deliver()
    assert notice.chat_id == GROUP and reference in notice.text
    await world.group(A).press(notice.button("v1:dk:c"), notice)


async def _family_rows(world: World) -> list[dict[str, Any]]:
    return await world.rows(
        "SELECT id, sent_at, failed_at, last_error FROM outbox WHERE kind = 'family_notice'"
    )


async def test_a_429_then_success_reaches_the_line_family_once(
    world: World, line: LineOutbound, line_api: FakeLineAPI
) -> None:
    await _taken(world, line)
    line_api.fail_next(1, 429, retry_after=3)
    await world.deliver()
    [row] = await _family_rows(world)
    assert row["sent_at"] is not None
    assert len(line_api.texts(FAMILY)) == 1
    key = retry_key(outbox_source(row["id"]))
    assert _push_keys(line_api) == [(429, key), (200, key)]


async def test_a_line_5xx_is_retried_until_it_goes_through(
    world: World, line: LineOutbound, line_api: FakeLineAPI
) -> None:
    await _taken(world, line)
    line_api.fail_next(2, 500)
    await world.deliver()
    [row] = await _family_rows(world)
    assert row["sent_at"] is not None and len(line_api.texts(FAMILY)) == 1
    assert [status for status, _ in _push_keys(line_api)] == [500, 500, 200]


async def test_a_line_family_out_of_reach_is_given_up_and_the_coordinator_told(
    world: World, line: LineOutbound, line_api: FakeLineAPI
) -> None:
    await _taken(world, line)
    line_api.forget(FAMILY)
    before = len(world.to(A))
    await world.deliver()
    [row] = await _family_rows(world)
    assert row["sent_at"] is None and row["failed_at"] is not None
    assert row["last_error"] == "LINE 400"
    told = [s.text for s in world.to(A)[before:]]
    assert any("could not reach the family" in text for text in told), told
    assert line_api.sent == []


async def test_a_row_for_a_channel_not_running_waits_and_is_logged_once(
    world: World, line: LineOutbound, caplog: pytest.LogCaptureFixture
) -> None:
    # Only LINE runs: the new-ticket notice for the coordinators' Telegram group waits.
    reference = await make_ticket(world)
    worker = _worker(world, line)
    with caplog.at_level(logging.WARNING, logger="bot.outbox_worker"):
        for _ in range(4):
            assert await worker.tick() == pytest.approx(world.worker.settings.poll_interval)
            world.virtual.advance(5)
    said = [r.getMessage() for r in caplog.records if "not running" in r.getMessage()]
    assert said == ["outbox: messages for telegram wait; that channel is not running here"]
    assert await world.unsent() == 1 and world.bot.sent == []
    # A process with Telegram sends it then, as if nothing had happened.
    _worker(world, _telegram_of(world))
    [notice] = await world.deliver()
    assert notice.chat_id == GROUP and reference in notice.text


# --- the desk's jobs ---------------------------------------------------------------------------


async def test_a_failing_job_is_logged_without_its_words_and_jobs_stop_with_the_desk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    async def broken() -> None:
        raise ValueError("花子さんの下書き")

    tasks = [start_job(forever()), start_job(broken())]
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0)
    await stop_jobs(tasks)
    assert all(task.done() for task in tasks) and tasks[0].cancelled()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "background job stopped: ValueError" in logged
    assert "花子" not in logged
