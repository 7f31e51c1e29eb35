"""Nothing in flight is lost to a crash: updates are confirmed to Telegram only once
handled, and a handled update's answers are kept until they are sent.

The end-to-end proof with SIGKILL is tests/test_crash_small.py; these pin the two pieces.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.housekeeping import run_housekeeping
from bot.services import Services
from bot.telegram.application import HandledFirstBot, build_application
from content.loader import DEFAULT_CONTENT_DIR
from flows.model import Inbound
from tests.fake_bot_api import FakeBotAPI
from tests.fakes import tg

TOKEN = "123456:TEST-token-abc"
PARENT = 6161


def _text(text: str) -> Inbound:
    return Inbound(channel="telegram", user_id=tg(PARENT), chat_id=tg(PARENT), kind="text",
                   text=text)


async def test_answers_of_a_step_are_kept_until_sent(tmp_path: Path) -> None:
    services = await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR)
    try:
        first = await services.process(_text("訪問看護を使いたい"), event="telegram:41")
        assert first is not None and first.replies
        # The process died before sending: Telegram delivers the update again.
        again = await services.process(_text("訪問看護を使いたい"), event="telegram:41")
        assert again is not None
        assert [r.text for r in again.replies] == [r.text for r in first.replies]
        assert again.replies[0].buttons == first.replies[0].buttons
        await services.replies_sent("telegram:41")
        # Sent: a later delivery of the same update changes and sends nothing.
        assert await services.process(_text("訪問看護を使いたい"), event="telegram:41") is None
    finally:
        await services.close()


async def test_kept_answers_are_dropped_once_telegram_cannot_ask_again(tmp_path: Path) -> None:
    services = await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR)
    try:
        await services.process(_text("訪問看護を使いたい"), event="telegram:42")
        await run_housekeeping(services, datetime.now(UTC) + timedelta(days=2))
        assert await services.process(_text("訪問看護を使いたい"), event="telegram:42") is None
        await run_housekeeping(services, datetime.now(UTC) + timedelta(days=8))
        async with services.db.transaction() as tx:
            assert await tx.updates.unsent_replies("telegram:42") is None
            assert await tx.updates.claim("telegram:42", datetime.now(UTC))  # forgotten altogether
    finally:
        await services.close()


async def test_more_updates_are_asked_for_only_once_the_queue_is_handled() -> None:
    api = FakeBotAPI(token=TOKEN)
    settings = Settings(bot_token=TOKEN, api_base_url="http://bot-api.test/bot")

    async def open_services() -> Services:
        raise AssertionError("not opened in this test")

    def request() -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"transport": api.mock_transport()})

    application = build_application(settings, open_services, request=request(),
                                    get_updates_request=request())
    assert isinstance(application.bot, HandledFirstBot)
    updater = application.updater
    assert updater is not None
    async with application:
        await application.update_queue.put(object())  # fetched, not handled yet
        await updater.start_polling(timeout=0)
        try:
            await asyncio.sleep(0.3)
            assert not api.calls_of("getUpdates")
            application.update_queue.get_nowait()
            application.update_queue.task_done()  # handled: Telegram may hear the offset now
            for _ in range(50):  # the fake's own waits would block this event loop
                if api.calls_of("getUpdates"):
                    break
                await asyncio.sleep(0.1)
            assert api.calls_of("getUpdates")
        finally:
            await updater.stop()
        polls = len(api.calls_of("getUpdates"))
    # Stopping adds no call of its own: the last batch is confirmed by the next start.
    assert len(api.calls_of("getUpdates")) == polls
