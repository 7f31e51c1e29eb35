"""The fake Bot API behaves like Telegram where the bot depends on it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fake_bot_api import FakeBotAPI

TOKEN = "123456:TEST-token-abc"


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN, seed=7) as fake:
        yield fake


def call(api: FakeBotAPI, method: str, token: str = TOKEN, **params: object) -> httpx.Response:
    return httpx.post(f"{api.base_url}{token}/{method}", json=params, timeout=10)


def test_listens_on_loopback_and_answers_get_me(api: FakeBotAPI) -> None:
    assert api.base_url.startswith("http://127.0.0.1:")
    body = call(api, "getMe").json()
    assert body["ok"] and body["result"]["username"] == api.bot_username


def test_wrong_token_and_unknown_method(api: FakeBotAPI) -> None:
    assert call(api, "getMe", token="1:nope-nope-nope").json()["error_code"] == 401
    response = call(api, "sendRocket")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_offsets_confirm_updates(api: FakeBotAPI) -> None:
    first = api.push_text(1, "a")
    second = api.push_text(1, "b")
    ids = [u["update_id"] for u in call(api, "getUpdates").json()["result"]]
    assert ids == [first["update_id"], second["update_id"]]
    # Not confirmed yet: delivered again.
    assert len(call(api, "getUpdates").json()["result"]) == 2
    rest = call(api, "getUpdates", offset=second["update_id"]).json()["result"]
    assert [u["update_id"] for u in rest] == [second["update_id"]]
    assert call(api, "getUpdates", offset=second["update_id"] + 1).json()["result"] == []


def test_long_poll_waits_for_an_update_and_is_bounded(api: FakeBotAPI) -> None:
    started = time.monotonic()
    assert call(api, "getUpdates", timeout=1).json()["result"] == []
    assert 0.9 <= time.monotonic() - started < 5

    threading.Timer(0.3, lambda: api.push_text(1, "遅れて")).start()
    started = time.monotonic()
    result = call(api, "getUpdates", timeout=5).json()["result"]
    assert result[0]["message"]["text"] == "遅れて"
    assert time.monotonic() - started < 3


def test_redelivery_comes_once_even_below_the_offset(api: FakeBotAPI) -> None:
    update = api.push_text(1, "a")
    call(api, "getUpdates")
    call(api, "getUpdates", offset=update["update_id"] + 1)
    api.redeliver(update["update_id"])
    again = call(api, "getUpdates", offset=update["update_id"] + 1).json()["result"]
    assert again == [update]
    assert call(api, "getUpdates", offset=update["update_id"] + 1).json()["result"] == []


def test_form_bodies_like_ptb_sends_them(api: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "メニュー", "callback_data": "v1:menu"}]]}
    response = httpx.post(
        f"{api.base_url}{TOKEN}/sendMessage",
        data={
            "chat_id": "42",
            "text": "<b>こんにちは</b>",
            "parse_mode": "HTML",
            "reply_markup": json.dumps(markup),
        },
        timeout=10,
    )
    message = response.json()["result"]
    assert message["text"] == "こんにちは" and message["chat"]["id"] == 42
    [sent] = api.wait_for_messages(42, 1, timeout=1)
    assert sent["reply_markup"] == markup and sent["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>閉じていない", "Can't find end tag"),
        ("1 < 2", "Unexpected <"),
        ("<div>x</div>", "Unsupported start tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("あ" * 4097, "message is too long"),
        ("<b> </b>", "message text is empty"),
    ],
)
def test_refuses_what_telegram_refuses(api: FakeBotAPI, text: str, error: str) -> None:
    response = call(api, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert response.status_code == 400
    assert error in response.json()["description"]
    assert api.messages() == []


def test_callback_data_limit(api: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "v1:" + "a" * 62}]]}
    response = call(api, "sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


def test_callback_queries_are_answered_once(api: FakeBotAPI) -> None:
    query_id = api.push_callback(1, "v1:menu")["callback_query"]["id"]
    assert call(api, "answerCallbackQuery", callback_query_id=query_id, text="OK").json()["ok"]
    assert call(api, "answerCallbackQuery", callback_query_id=query_id).status_code == 400
    assert api.wait_for_callback_answers(1, timeout=1)[0]["text"] == "OK"


def test_faults_are_seeded_bounded_and_shaped_like_telegram(api: FakeBotAPI) -> None:
    api.add_fault("sendMessage", "429", rate=0.5, limit=3, retry_after=2)
    codes = [call(api, "sendMessage", chat_id=1, text="x").status_code for _ in range(20)]
    assert codes.count(429) == 3  # bounded
    api.clear_faults()
    api.add_fault("*", "500", limit=1)
    response = call(api, "getMe")
    assert response.status_code == 500 and response.json()["error_code"] == 500
    assert call(api, "getMe").status_code == 200

    again = FakeBotAPI(token=TOKEN, seed=7)
    again.add_fault("sendMessage", "429", rate=0.5, limit=3)
    replay = [again.handle(TOKEN, "sendMessage", {"chat_id": 1, "text": "x"})[0] for _ in range(20)]
    assert replay == codes  # same seed, same calls: same faults


def test_429_carries_retry_after(api: FakeBotAPI) -> None:
    api.add_fault("sendMessage", "429", retry_after=3, limit=1)
    body = call(api, "sendMessage", chat_id=1, text="x").json()
    assert body["parameters"] == {"retry_after": 3}


def test_delay_fault_answers_late(api: FakeBotAPI) -> None:
    api.add_fault("getMe", "delay", delay=0.5, limit=1)
    started = time.monotonic()
    assert call(api, "getMe").status_code == 200
    assert time.monotonic() - started >= 0.5


def test_commands_by_scope_and_language(api: FakeBotAPI) -> None:
    commands = [{"command": "start", "description": "はじめる"}]
    scope = {"type": "all_private_chats"}
    assert call(api, "setMyCommands", commands=commands, scope=scope, language_code="en").json()[
        "ok"
    ]
    assert api.commands == {("all_private_chats", "en"): commands}
    bad = [{"command": "Start!", "description": "x"}]
    assert call(api, "setMyCommands", commands=bad).status_code == 400
