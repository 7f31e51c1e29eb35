"""A request made through Telegram: a real PTB Application over the in-process fake Bot
API, with the real engine and a SQLite file. The fake refuses any HTML Telegram would
refuse, so every message of the consent, the questions and the ticket is checked too."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.services import Services
from bot.telegram.application import build_application
from flows.turn import Deps
from storage.database import Database
from tests.fake_bot_api import App, FakeBotAPI, buttons
from tests.fakes import tg
from tests.intake_fakes import request_deps, services_on

TOKEN = "123456:TEST-token-abc"
PARENT = 5151


@asynccontextmanager
async def desk(api: FakeBotAPI, path: Path, deps: Deps) -> AsyncIterator[App]:
    settings = Settings(bot_token=TOKEN, api_base_url="http://bot-api.test/bot")

    async def open_services() -> Services:
        db = await Database.open(path)
        return services_on(db, deps)

    def request() -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"transport": api.mock_transport()})

    application = build_application(
        settings, open_services, request=request(), get_updates_request=request()
    )
    async with application:
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        try:
            yield application
        finally:
            await application.post_shutdown(application)


class Parent:
    def __init__(self, app: App, api: FakeBotAPI) -> None:
        self.app = app
        self.api = api

    async def feed(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.api.messages(PARENT))
        await self.app.process_update(Update.de_json(raw, self.app.bot))
        return self.api.messages(PARENT)[before:]

    async def command(self, name: str) -> list[dict[str, Any]]:
        return await self.feed(self.api.push_command(PARENT, name))

    async def text(self, text: str) -> list[dict[str, Any]]:
        return await self.feed(self.api.push_text(PARENT, text))

    async def press(self, data: str) -> list[dict[str, Any]]:
        return await self.feed(self.api.push_callback(PARENT, data))

    async def press_label(self, label: str) -> list[dict[str, Any]]:
        return await self.feed(self.api.press(PARENT, label))


def shown(messages: list[dict[str, Any]]) -> str:
    """What the parent sees: plain text and button labels."""
    return "\n".join(" ".join([m["message"]["text"], *(b for b, _ in buttons(m))])
                     for m in messages)


async def rows(path: Path, sql: str) -> list[dict[str, Any]]:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx, tx.conn.execute(sql) as cur:
            return [dict(r) for r in await cur.fetchall()]
    finally:
        await db.close()


async def test_a_request_through_telegram_survives_a_restart(tmp_path: Path) -> None:
    api = FakeBotAPI(token=TOKEN)
    path = tmp_path / "desk.db"
    deps = request_deps()
    async with desk(api, path, deps) as app:
        parent = Parent(app, api)
        welcome = await parent.command("start")
        assert "📝 相談を申し込む" in shown(welcome)
        await parent.press_label("相談を申し込む")
        screen = await parent.press_label("子どもの保護者です")
        assert all(m["parse_mode"] == "HTML" for m in screen)
        assert "相談の申し込みの前に" in shown(screen) and "/withdraw" in shown(screen)
        await parent.press_label("1. 相談に使う")
        first = await parent.press_label("次へ")
        assert api.callback_answers[-1]["text"] == "ありがとうございます。"  # the toast
        assert "質問 1" in shown(first)
        await parent.press("v1:in:residence:v:chiyoda")
        await parent.text("2歳3か月")
        await parent.press_label("経管栄養")
        await parent.press_label("決定")
        sticker = await parent.feed(api.push_sticker(PARENT))
        # Still the next question, asked again (not the care question once more).
        assert "必要な医療的ケアはどれですか" not in shown(sticker)
        assert "お子さんはいま、どこで過ごしていますか" in shown(sticker)

    # The desk stops and starts again on the same database; the driver sends /resume.
    async with desk(api, path, deps) as app:
        parent = Parent(app, api)
        resumed = await parent.command("resume")
        assert "お子さんはいま、どこで過ごしていますか" in shown(resumed)
        await parent.press("v1:in:situation:v:home")
        await parent.press("v1:in:support:v:none")
        await parent.press_label("訪問看護")
        await parent.press_label("決定")
        await parent.text("夜は<b>眠れません</b> & 不安です")
        await parent.press("v1:in:contact:v:chat")
        summary = await parent.text("千代田 花子")
        assert "夜は<b>眠れません</b> & 不安です" in shown(summary)  # shown as typed, escaped
        assert any("&lt;b&gt;眠れません&lt;/b&gt; &amp; 不安です" in m["text"] for m in summary)
        sent = await parent.press_label("コーディネーターに送る")
        assert "受付番号 K-0001" in shown(sent)
        assert api.callback_answers[-1]["text"] == "送信しました。"

    [ticket] = await rows(path, "SELECT * FROM tickets")
    assert (ticket["reference"], ticket["office"], ticket["priority"]) == (
        "K-0001", "jido_katei", "high")
    [details] = await rows(path, "SELECT * FROM ticket_details")
    assert details["subject"] == f"telegram:{PARENT}:{PARENT}" and details["chat_id"] == tg(PARENT)
    assert json.loads(details["answers"])["care"] == ["tube"]
    [notice] = await rows(path, "SELECT kind, payload FROM outbox")
    assert notice["kind"] == "ticket_new" and "千代田" not in notice["payload"]
    # Nothing the parent typed was sent anywhere but back to the parent's own chat.
    assert {m["chat_id"] for m in api.messages()} == {PARENT}
