"""A real PTB Application, its HTTP answered in-process by the fake Bot API.

Updates are real Telegram JSON fed to ``Application.process_update``; what the bot sends
is checked as Telegram would check it (the fake refuses HTML that does not parse).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.errors import describe_error
from bot.telegram.application import (
    APOLOGY,
    DeskServices,
    build_application,
    file_base_url,
)
from bot.telegram.render import split_html, telegram_length
from bot.telegram.runner import RedactingFormatter, token_variants
from content.i18n import CatalogTranslations
from flows.address import address
from flows.model import Button, Inbound, Outcome, Reply, Session
from flows.text import Html
from tests.fake_bot_api import App, FakeBotAPI, buttons, check_text
from tests.fakes import tg

TOKEN = "123456:TEST-token-abc"
PARENT = 4242
COMMANDS = [("start", "Start over and see the menu"), ("help", "What this bot can do")]
MENU = ((Button(label="🏢 窓口", data="v1:off", role="navigate"),
         Button(label="🏠 メニュー", data="v1:menu", role="navigate")),)


def long_text() -> str:
    # About 9,000 characters, with a bold span that crosses where the cuts must fall.
    lines = [f"{i:03d} 訪問看護ステーションのご案内 &amp; 連絡先" for i in range(150)]
    lines[40] = "<b>" + lines[40]
    lines[110] = lines[110] + "</b>"
    return "\n".join(lines * 2)


@dataclass
class _Router:
    public_commands: list[tuple[str, str]] = field(default_factory=lambda: list(COMMANDS))


@dataclass
class _Engine:
    router: _Router = field(default_factory=_Router)


@dataclass
class FakeServices:
    """Stands in for bot.services.Services: canned outcomes, redeliveries skipped."""

    engine: _Engine = field(default_factory=_Engine)
    seen: list[Inbound] = field(default_factory=list)
    handled: set[str] = field(default_factory=set)
    closed: bool = False

    async def process(self, inbound: Inbound, event: str | None = None) -> Outcome | None:
        if event is not None:
            if event in self.handled:
                return None
            self.handled.add(event)
        self.seen.append(inbound)
        session = Session(key=inbound.session_key)
        if inbound.kind == "button":
            return Outcome(
                replies=[Reply(text=Html("<b>窓口の一覧</b>"), buttons=MENU)],
                session=session,
                toast="窓口",
            )
        if inbound.kind == "command" and inbound.command == "long":
            return Outcome(replies=[Reply(text=Html(long_text()), buttons=MENU)], session=session)
        if inbound.kind == "command" and inbound.command == "broken":
            # A mistake of ours (unclosed tag: Reply refuses it, so it is built around the
            # check, as a bug in the driver could), then a reply Telegram refuses for another
            # reason (empty), then a good one: the first two must not hold up the third.
            return Outcome(replies=[Reply.model_construct(text="<b>閉じていない & タグ"),
                                    Reply(text=Html(" ")),
                                    Reply(text=Html("<b>続き</b>"))], session=session)
        if inbound.kind == "command" and inbound.command == "boom":
            raise RuntimeError(f"failed while reading {inbound.text}")
        if inbound.kind == "command" and inbound.command == "start":
            return Outcome(
                replies=[Reply(text=Html("<b>ようこそ</b>\nメニューからどうぞ。"), buttons=MENU)],
                session=session,
            )
        quoted = Html("「{}」について").format(inbound.text)
        return Outcome(replies=[Reply(text=quoted, buttons=MENU)], session=session)

    async def replies_sent(self, event: str) -> None:
        pass  # nothing is kept: a redelivery here is always skipped

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def api() -> FakeBotAPI:
    return FakeBotAPI(token=TOKEN)


# The fake declares what it stands in for (its engine is a field, where DeskServices has a
# read-only property, so by this assignment rather than as a subclass).
_FAKE_SERVICES_ARE_DESK_SERVICES: type[DeskServices] = FakeServices


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def app(api: FakeBotAPI, services: FakeServices) -> AsyncIterator[App]:
    settings = Settings(bot_token=TOKEN, api_base_url="http://bot-api.test/bot")

    async def open_services() -> FakeServices:
        return services

    def request() -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"transport": api.mock_transport()})

    application = build_application(
        settings, open_services, request=request(), get_updates_request=request()
    )
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        yield application
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


async def feed(app: App, raw: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(raw, app.bot))


async def test_start_sends_html_with_an_inline_keyboard(app: App, api: FakeBotAPI) -> None:
    await feed(app, api.push_command(PARENT, "start"))
    [sent] = api.messages(PARENT)
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>ようこそ</b>")
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert buttons(sent) == [("🏢 窓口", "v1:off"), ("🏠 メニュー", "v1:menu")]


async def test_what_the_person_typed_arrives_escaped_once(
    app: App,
    api: FakeBotAPI,
    services: FakeServices,
) -> None:
    typed = "<script> & 訪問看護"
    await feed(app, api.push_text(PARENT, typed))
    assert services.seen[-1].text == typed  # the driver passes it through untouched
    [sent] = api.messages(PARENT)
    assert "&lt;script&gt; &amp; 訪問看護" in sent["text"]
    assert sent["message"]["text"] == "「<script> & 訪問看護」について"  # as Telegram shows it


async def test_button_press_is_answered_with_the_toast_then_replied(
    app: App,
    api: FakeBotAPI,
    services: FakeServices,
) -> None:
    await feed(app, api.push_command(PARENT, "start"))
    update = api.press(PARENT, "窓口")
    await feed(app, update)
    assert services.seen[-1].button == "v1:off"
    [answer] = api.callback_answers
    assert answer["callback_query_id"] == update["callback_query"]["id"]
    assert answer["text"] == "窓口"
    assert api.messages(PARENT)[-1]["text"] == "<b>窓口の一覧</b>"


async def test_a_button_press_with_nothing_to_do_still_stops_the_spinner(
    app: App,
    api: FakeBotAPI,
) -> None:
    update = api.push_callback(PARENT, "v1:off")
    del update["callback_query"]["message"]  # a button on an inline-mode message
    update["callback_query"]["inline_message_id"] = "AAQ"
    await feed(app, update)
    assert [a["callback_query_id"] for a in api.callback_answers] == [
        update["callback_query"]["id"]
    ]
    assert api.messages() == []


async def test_long_text_is_split_with_the_keyboard_on_the_last_part(
    app: App,
    api: FakeBotAPI,
) -> None:
    await feed(app, api.push_command(PARENT, "long"))
    parts = api.messages(PARENT)
    assert len(parts) == 3
    for part in parts:
        assert telegram_length(part["text"]) <= 4096
        check_text(part["text"], "HTML")  # balanced tags in every part
    assert [bool(p["reply_markup"]) for p in parts] == [False, False, True]
    shown = " ".join(p["message"]["text"] for p in parts)
    assert shown.split() == html.unescape(re.sub("</?b>", "", long_text())).split()


async def test_redelivered_update_sends_nothing(
    app: App,
    api: FakeBotAPI,
) -> None:
    update = api.push_text(PARENT, "訪問看護を使いたい")
    await feed(app, update)
    await feed(app, update)
    assert len(api.messages(PARENT)) == 1


async def test_failure_is_logged_without_personal_data_and_the_person_is_told(
    app: App,
    api: FakeBotAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    secret_story = "娘の気管カニューレが抜けた"
    update = api.push_command(PARENT, "boom", secret_story)
    await feed(app, update)
    [apology] = api.messages(PARENT)
    assert apology["text"] == APOLOGY
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"update {update['update_id']} failed: RuntimeError" in logged
    assert secret_story not in logged
    assert str(PARENT) not in logged
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("bot"))


async def test_failure_on_a_button_press_answers_it(
    app: App,
    api: FakeBotAPI,
    services: FakeServices,
) -> None:
    async def broken(inbound: Inbound, event: str | None = None) -> Outcome | None:
        raise ValueError("database is locked")

    # A step that fails, in place of the fake's.
    services.process = broken  # type: ignore[method-assign]
    update = api.push_callback(PARENT, "v1:off")
    await feed(app, update)
    assert len(api.callback_answers) == 1
    assert api.messages(PARENT)[-1]["text"] == APOLOGY


async def test_commands_are_published_in_japanese_and_english(
    app: App,
    api: FakeBotAPI,
) -> None:
    ja = CatalogTranslations().for_locale("ja")
    assert api.commands[("all_private_chats", "")] == [
        {"command": name, "description": ja.gettext(text)} for name, text in COMMANDS
    ]
    assert api.commands[("all_private_chats", "en")] == [
        {"command": name, "description": text} for name, text in COMMANDS
    ]


async def test_services_are_closed_on_shutdown(api: FakeBotAPI) -> None:
    services = FakeServices()

    async def open_services() -> FakeServices:
        return services

    settings = Settings(bot_token=TOKEN, api_base_url="http://bot-api.test/bot")
    request = HTTPXRequest(httpx_kwargs={"transport": api.mock_transport()})
    application = build_application(settings, open_services, request=request)
    async with application:
        assert application.post_init and application.post_shutdown
        await application.post_init(application)
        await application.post_shutdown(application)
    assert services.closed


async def test_requests_carry_the_token_to_the_configured_url(
    app: App,
    api: FakeBotAPI,
) -> None:
    assert app.bot.base_url == "http://bot-api.test/bot" + TOKEN
    assert {call.token for call in api.calls} == {TOKEN}


# --------------------------------------------------------------------- pieces


def test_split_keeps_short_texts_whole() -> None:
    assert split_html("<b>短い</b>") == ["<b>短い</b>"]


def test_split_on_line_breaks_closing_and_reopening_tags() -> None:
    text = '<a href="https://www.city.chiyoda.lg.jp/">' + "\n".join(["行"] * 30) + "</a>"
    parts = split_html(text, limit=100)
    assert len(parts) > 1
    for part in parts:
        assert telegram_length(part) <= 100
        check_text(part, "HTML")
        assert part.startswith('<a href="https://www.city.chiyoda.lg.jp/">')
        assert part.endswith("</a>")


def test_split_a_line_without_breaks_between_words_or_characters() -> None:
    words = " ".join(["visiting-nursing"] * 40)
    for part in split_html(words, limit=100):
        assert telegram_length(part) <= 100
        assert not part.startswith("-")
    japanese = "あ" * 250 + "&amp;" + "い" * 250
    parts = split_html(japanese, limit=100)
    assert "".join(parts) == japanese  # nothing lost, the entity kept whole
    assert all(telegram_length(p) <= 100 for p in parts)


def test_split_counts_like_telegram() -> None:
    # An emoji outside the BMP is two UTF-16 units for Telegram.
    assert telegram_length("👶") == 2
    parts = split_html("👶" * 60, limit=100)
    assert [telegram_length(p) for p in parts] == [100, 20]


def test_split_parts_are_never_empty() -> None:
    text = "<b>" + "\n" * 300 + "本文" + "</b>"
    parts = split_html(text, limit=50)
    assert parts == ["<b>本文</b>"]


def test_file_url_follows_the_api_url() -> None:
    assert file_base_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_base_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


def test_describe_error_names_type_and_place_but_not_the_message() -> None:
    try:
        try:
            raise KeyError("花子")
        except KeyError as inner:
            raise RuntimeError("娘の様子") from inner
    except RuntimeError as exc:
        text = describe_error(exc)
    assert text.startswith("RuntimeError at tests/test_telegram_adapter.py:")
    assert "(caused by KeyError)" in text
    assert "娘" not in text and "花子" not in text


def test_the_token_is_redacted_from_any_log_line() -> None:
    formatter = RedactingFormatter("%(message)s", token_variants(TOKEN))
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST %s",
        ("http://x/bot123456%3ATEST-token-abc/getMe",),
        None,
    )
    assert formatter.format(record) == "POST http://x/bot[REDACTED]/getMe"
    record.msg, record.args = "url /bot" + TOKEN + "/getUpdates", ()
    assert TOKEN not in formatter.format(record)


_WORDS = st.sampled_from(["訪問看護", "&amp;", "&lt;", "119", "👶", "care", " ", "\n", "\n\n"])
_SPANS = st.lists(
    st.tuples(st.sampled_from(["", "b", "i", "code"]), st.lists(_WORDS, max_size=40)),
    max_size=30,
)


@given(spans=_SPANS, limit=st.integers(min_value=40, max_value=300))
@settings(max_examples=200, deadline=None)
def test_split_property_valid_parts_and_nothing_lost(
    spans: list[tuple[str, list[str]]], limit: int
) -> None:
    text = "".join(
        f"<{tag}>{''.join(words)}</{tag}>" if tag else "".join(words) for tag, words in spans
    )
    visible = html.unescape(re.sub("<[^>]*>", "", text))
    if not visible.strip():
        return
    parts = split_html(text, limit=limit)
    for part in parts:
        assert telegram_length(part) <= limit
        check_text(part, "HTML")
    shown = "".join(html.unescape(re.sub("<[^>]*>", "", p)) for p in parts)
    assert "".join(shown.split()) == "".join(visible.split())


# PTB's own rate limiter reads RetryAfter.retry_after, which PTB itself deprecates as an int.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_429_from_telegram_is_waited_out_and_the_reply_still_sent(
    app: App,
    api: FakeBotAPI,
) -> None:
    api.add_fault("sendMessage", "429", retry_after=1, limit=1)
    await feed(app, api.push_command(PARENT, "start"))
    faulted = [c for c in api.calls_of("sendMessage") if c.fault == "429"]
    assert len(faulted) == 1
    [sent] = api.messages(PARENT)
    assert sent["text"].startswith("<b>ようこそ</b>")


async def test_draft_reminders_go_to_telegram_chats_only(
    app: App,
    api: FakeBotAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import housekeeping as hk
    from bot import upkeep
    from bot.telegram.outbound import TelegramOutbound

    report = hk.HousekeepingReport(
        reminders=[
            hk.DraftReminder("telegram", tg(PARENT),
                             Reply(text=Html("<b>下書き</b>が残っています"))),
            hk.DraftReminder("console", address("console", 1), Reply(text="console only")),
            hk.DraftReminder("telegram", tg(-5), Reply(text="blocked")),
        ]
    )

    async def fake_run(services: Any) -> hk.HousekeepingReport:
        return report

    monkeypatch.setattr(upkeep, "run_housekeeping", fake_run)
    api.add_fault("sendMessage", "500", limit=1)  # the first reminder's chat fails once
    outbounds = {"telegram": TelegramOutbound(app.bot)}
    # No services: the housekeeping that would use them is replaced by fake_run.
    await upkeep.housekeeping_once(None, outbounds)  # type: ignore[arg-type]
    assert [m["chat_id"] for m in api.messages()] == [-5]
    api.clear_faults()
    await upkeep.housekeeping_once(None, outbounds)  # type: ignore[arg-type]
    assert [m["chat_id"] for m in api.messages()] == [-5, PARENT, -5]


async def test_a_refused_answer_is_sent_as_plain_text_or_given_up_never_retried(
    app: App, api: FakeBotAPI
) -> None:
    await asyncio.wait_for(feed(app, api.push_command(PARENT, "broken")), timeout=5)
    plain, last = api.messages(PARENT)
    assert (plain["text"], plain["parse_mode"]) == ("閉じていない & タグ", None)
    assert (last["text"], last["parse_mode"]) == ("<b>続き</b>", "HTML")
    assert [d.split(":")[1].strip() for _, d in api.refusals] == [
        "can't parse entities", "message text is empty"]

    await asyncio.wait_for(feed(app, api.push_command(PARENT, "start")), timeout=5)
    assert api.messages(PARENT)[-1]["text"].startswith("<b>ようこそ</b>")
