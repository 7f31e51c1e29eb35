"""A fake Telegram Bot API for tests and benchmarks, on 127.0.0.1 only.

It answers what python-telegram-bot calls (getMe, getUpdates with long polling and
offset confirmation, sendMessage, answerCallbackQuery, setMyCommands...), records every
call, and checks messages the way Telegram would (HTML that parses, length limits,
callback data of at most 64 bytes), so a test fails where Telegram would refuse.

    with FakeBotAPI() as api:               # an HTTP server in a background thread
        env["TSUNAGU_API_BASE_URL"] = api.base_url
        api.push_command(1001, "start")
        [welcome] = api.wait_for_messages(1001, 1, timeout=10)

The same state machine also serves an in-process ``httpx.MockTransport``
(:meth:`FakeBotAPI.mock_transport`) for tests that need no socket, and faults can be
injected per method (429 with retry_after, 500, or a delay) for a seeded fraction of calls.
Run ``python tests/fake_bot_api.py --port 8081`` to serve one by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import email.parser
import email.policy
import html
import itertools
import json
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx
from telegram.ext import Application

T = TypeVar("T")
Params = dict[str, Any]
Json = dict[str, Any]
# A PTB Application as the tests build it: its six type parameters are never pinned down.
App = Application[Any, Any, Any, Any, Any, Any]

BOT_ID = 777000111
MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_BYTES = 64
# Upper bounds so a mistaken test cannot hang a run.
MAX_POLL_SECONDS = 60.0
MAX_FAULT_DELAY = 30.0

# 429: Too Many Requests with retry_after. 500: Internal Server Error. delay: answered late
# but carried out (the answer is lost on the way back when the client gives up first).
# timeout: no answer for ``delay`` seconds and not carried out (lost on the way there).
FaultKind = Literal["429", "500", "delay", "timeout"]


class BotAPIError(Exception):
    """An error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class Fault:
    """Answer ``kind`` for about ``rate`` of the calls to a method, at most ``limit`` times."""

    kind: FaultKind
    rate: float = 1.0
    limit: int = 100
    retry_after: int = 1
    delay: float = 1.0
    injected: int = 0


@dataclass
class Call:
    method: str
    params: Params
    at: float
    token: str
    fault: FaultKind | None = None


@dataclass
class _Queued:
    update: Json
    # A redelivery is handed out once even though its id is below the confirmed offset,
    # the way Telegram resends an update whose handling it never saw confirmed.
    redelivery: bool = False


@dataclass
class FakeBotAPI:
    token: str | None = None  # None: any token is accepted
    bot_username: str = "tsunagu_test_bot"
    seed: int = 0
    first_update_id: int = 500_000

    calls: list[Call] = field(default_factory=list)
    # Every sendMessage / editMessageText / editMessageReplyMarkup that succeeded.
    sent: list[Json] = field(default_factory=list)
    callback_answers: list[Params] = field(default_factory=list)
    # (scope type, language code or "") → commands as sent.
    commands: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    # (method, description) of every call answered with an error other than a fault.
    refusals: list[tuple[str, str]] = field(default_factory=list)
    # The name Telegram shows for a person (default "Parent<id>").
    first_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[_Queued] = []
        self._delivered: dict[int, Json] = {}
        self._confirmed_offset = 0
        self._update_ids = itertools.count(self.first_update_id)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._random = random.Random(self.seed)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ serving

    def start(self, port: int = 0) -> FakeBotAPI:
        """Serve on 127.0.0.1 (a free port unless one is given) from a background thread."""
        api = self

        class Handler(_Handler):
            fake = api

        self._stopping.clear()
        self._server = _Server(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake Bot API is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For TSUNAGU_API_BASE_URL / PTB's base_url (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def mock_transport(self) -> httpx.MockTransport:
        """The same fake for an ``httpx`` client, without a socket."""

        async def handle(request: httpx.Request) -> httpx.Response:
            token, method = _split_path(request.url.path)
            params = _parse_body(
                request.headers.get("content-type", ""), request.content, request.url.query
            )
            # getUpdates may wait; keep the event loop free meanwhile.
            status, payload = await asyncio.to_thread(self.handle, token, method, params)
            return httpx.Response(status, json=payload)

        return httpx.MockTransport(handle)

    # ------------------------------------------------------------------ the API

    def handle(self, token: str, method: str, params: Params) -> tuple[int, Json]:
        """One API call → (HTTP status, JSON body)."""
        fault = self._pick_fault(method)
        with self._cond:
            self.calls.append(
                Call(method, params, time.time(), token, fault.kind if fault else None)
            )
            self._cond.notify_all()
        if fault is not None:
            if fault.kind == "429":
                error = BotAPIError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
                return 429, error.payload()
            if fault.kind == "500":
                return 500, BotAPIError(500, "Internal Server Error").payload()
            # "delay"/"timeout": answer late (a client with a shorter timeout gives up first).
            self._stopping.wait(min(fault.delay, MAX_FAULT_DELAY))
            if fault.kind == "timeout":
                return 504, BotAPIError(504, "Gateway Timeout").payload()
        try:
            if self.token is not None and token != self.token:
                raise BotAPIError(401, "Unauthorized")
            handler = getattr(self, "_api_" + method.lower(), None)
            if handler is None:
                raise BotAPIError(404, "Not Found")
            return 200, {"ok": True, "result": handler(params)}
        except BotAPIError as exc:
            with self._cond:
                self.refusals.append((method, exc.description))
            return exc.code, exc.payload()

    def _api_getme(self, params: Params) -> Json:
        return self.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deletewebhook(self, params: Params) -> bool:
        if _flag(params.get("drop_pending_updates")):
            with self._cond:
                self._queue.clear()
        return True

    def _api_getwebhookinfo(self, params: Params) -> Json:
        with self._cond:
            pending = len(self._queue)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _api_getupdates(self, params: Params) -> list[Json]:
        offset = _int(params.get("offset"), 0)
        limit = max(1, min(_int(params.get("limit"), 100), 100))
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_SECONDS)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if offset:
                    # Everything below the offset is confirmed: Telegram forgets it.
                    self._confirmed_offset = max(self._confirmed_offset, offset)
                    self._queue = [
                        q
                        for q in self._queue
                        if q.redelivery or q.update["update_id"] >= self._confirmed_offset
                    ]
                if self._queue or self._stopping.is_set():
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch = self._queue[:limit]
            for queued in batch:
                self._delivered[queued.update["update_id"]] = queued.update
            # Redeliveries go out once; ordinary updates stay until confirmed by an offset.
            handed_out = {id(q) for q in batch if q.redelivery}
            self._queue = [q for q in self._queue if id(q) not in handed_out]
            return [q.update for q in batch]

    def _api_sendmessage(self, params: Params) -> Json:
        chat_id = _require_chat(params)
        text = str(params.get("text") or "")
        check_text(text, params.get("parse_mode"))
        markup = _markup(params.get("reply_markup"))
        message = self._message(chat_id, text, markup)
        self._record("sendMessage", params, message)
        return message

    def _api_editmessagetext(self, params: Params) -> Json | bool:
        text = str(params.get("text") or "")
        check_text(text, params.get("parse_mode"))
        markup = _markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            self._record("editMessageText", params, None)
            return True
        chat_id = _require_chat(params)
        message = self._message(chat_id, text, markup, _int(params.get("message_id"), 0))
        self._record("editMessageText", params, message)
        return message

    def _api_editmessagereplymarkup(self, params: Params) -> Json | bool:
        markup = _markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            self._record("editMessageReplyMarkup", params, None)
            return True
        chat_id = _require_chat(params)
        message = self._message(chat_id, "", markup, _int(params.get("message_id"), 0))
        self._record("editMessageReplyMarkup", params, message)
        return message

    def _api_deletemessage(self, params: Params) -> bool:
        _require_chat(params)
        return True

    def _api_answercallbackquery(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise BotAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._cond:
            if query_id not in self._open_callbacks:
                raise BotAPIError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID"
                    " is invalid",
                )
            self._open_callbacks.discard(query_id)
            self.callback_answers.append(dict(params))
            self._cond.notify_all()
        return True

    def _api_sendchataction(self, params: Params) -> bool:
        _require_chat(params)
        return True

    def _api_getchat(self, params: Params) -> Json:
        chat_id = _require_chat(params)
        return _chat(chat_id) | {"accent_color_id": 0, "max_reaction_count": 11}

    def _api_setmycommands(self, params: Params) -> bool:
        commands = _json_value(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotAPIError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
        with self._cond:
            self.commands[self._command_key(params)] = commands
        return True

    def _api_deletemycommands(self, params: Params) -> bool:
        with self._cond:
            self.commands.pop(self._command_key(params), None)
        return True

    def _api_getmycommands(self, params: Params) -> list[Json]:
        with self._cond:
            return list(self.commands.get(self._command_key(params), []))

    def _api_close(self, params: Params) -> bool:
        return True

    def _api_logout(self, params: Params) -> bool:
        return True

    # ------------------------------------------------------------------ updates to deliver

    def push_raw(self, update: Json, *, redelivery: bool = False) -> Json:
        """Queue an update as given (an ``update_id`` is added if it has none)."""
        update = dict(update)
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = next(self._update_ids)
            self._queue.append(_Queued(update, redelivery))
            self._cond.notify_all()
        return update

    def redeliver(self, update_id: int) -> Json:
        """Hand out an already delivered (and confirmed) update once more, id unchanged."""
        with self._cond:
            update = self._delivered.get(update_id)
        if update is None:
            raise KeyError(f"update {update_id} was never delivered")
        return self.push_raw(update, redelivery=True)

    def push_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        language_code: str | None = "ja",
        *,
        entities: list[Json] | None = None,
    ) -> Json:
        message = self.user_message(user_id, chat_id, language_code) | {"text": text}
        if entities:
            message["entities"] = entities
        return self.push_raw({"message": message})

    def push_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        chat_id: int | None = None,
        language_code: str | None = "ja",
        *,
        mention: bool = False,
    ) -> Json:
        word = f"/{command}" + (f"@{self.bot_username}" if mention else "")
        text = f"{word} {args}" if args else word
        entity = {"type": "bot_command", "offset": 0, "length": len(word)}
        return self.push_text(user_id, text, chat_id, language_code, entities=[entity])

    def push_callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        language_code: str | None = "ja",
    ) -> Json:
        """A button press on a message of the bot (by default the chat's latest one)."""
        chat = chat_id if chat_id is not None else user_id
        with self._cond:
            query_id = f"cq{BOT_ID}{next(self._callback_ids)}"
            self._open_callbacks.add(query_id)
            shown = [m for m in self.sent if m["chat_id"] == chat and m["message"] is not None]
        if message_id is None:
            message_id = shown[-1]["message_id"] if shown else 1
        original = next((m for m in reversed(shown) if m["message_id"] == message_id), None)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat),
            "from": self.bot_user(),
            "text": _plain(original["text"]) if original else "…",
        }
        if original and original.get("reply_markup"):
            message["reply_markup"] = original["reply_markup"]
        query = {
            "id": query_id,
            "from": self.user(user_id, language_code),
            "chat_instance": f"ci{chat}",
            "data": data,
            "message": message,
        }
        return self.push_raw({"callback_query": query})

    def press(self, user_id: int, label: str, message: Json | None = None) -> Json:
        """Press the button whose label contains ``label`` on a sent message (default: latest)."""
        if message is None:
            with self._cond:
                shown = [m for m in self.sent if m["chat_id"] == user_id and m["reply_markup"]]
            if not shown:
                raise LookupError("no message with buttons in this chat")
            message = shown[-1]
        for button_label, data in buttons(message):
            if label in button_label:
                return self.push_callback(
                    user_id, data, message_id=message["message_id"], chat_id=message["chat_id"]
                )
        raise LookupError(f"no button labelled {label!r}; have {buttons(message)}")

    def push_sticker(
        self, user_id: int, chat_id: int | None = None, language_code: str | None = "ja"
    ) -> Json:
        sticker = {
            "file_id": "CAACAgIAAxkBAAEfake",
            "file_unique_id": "AgADfake",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        message = self.user_message(user_id, chat_id, language_code) | {"sticker": sticker}
        return self.push_raw({"message": message})

    def user_message(
        self, user_id: int, chat_id: int | None = None, language_code: str | None = "ja"
    ) -> Json:
        """The common part of a message a person sends (for building other kinds)."""
        with self._cond:
            message_id = next(self._message_ids)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id if chat_id is not None else user_id),
            "from": self.user(user_id, language_code),
        }

    def user(self, user_id: int, language_code: str | None) -> Json:
        name = self.first_names.get(user_id, f"Parent{user_id}")
        user: Json = {"id": user_id, "is_bot": False, "first_name": name}
        if language_code:
            user["language_code"] = language_code
        return user

    def bot_user(self) -> Json:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "tsunagu (test)",
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ faults

    def add_fault(
        self,
        method: str,
        kind: FaultKind,
        *,
        rate: float = 1.0,
        limit: int = 100,
        retry_after: int = 1,
        delay: float = 1.0,
    ) -> Fault:
        """Make ``method`` (or ``"*"``: any method but getUpdates) fail now and then."""
        fault = Fault(kind, rate, limit, retry_after, min(delay, MAX_FAULT_DELAY))
        with self._cond:
            self.faults.setdefault(method, []).append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._cond:
            self.faults.clear()

    def _pick_fault(self, method: str) -> Fault | None:
        with self._cond:
            rules = list(self.faults.get(method, []))
            if method != "getUpdates":
                rules += self.faults.get("*", [])
            for fault in rules:
                if fault.injected < fault.limit and self._random.random() < fault.rate:
                    fault.injected += 1
                    return fault
        return None

    # ------------------------------------------------------------------ looking at results

    def messages(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Json]:
        with self._cond:
            return [
                m
                for m in self.sent
                if m["method"] == method and (chat_id is None or m["chat_id"] == chat_id)
            ]

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10.0, *, after: int = 0
    ) -> list[Json]:
        """The chat's sent messages after the first ``after``, once there are ``count``."""

        def ready() -> list[Json] | None:
            found = self.messages(chat_id)[after:]
            return found if len(found) >= count else None

        return self.wait_for(
            ready,
            timeout,
            lambda: (
                f"{count} message(s) to chat {chat_id} (have {len(self.messages(chat_id)) - after})"
            ),
        )

    def wait_for_call(
        self,
        method: str,
        timeout: float = 10.0,
        *,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        def ready() -> list[Call] | None:
            with self._cond:
                found = [
                    c for c in self.calls if c.method == method and (where is None or where(c))
                ]
            return found if len(found) >= count else None

        return self.wait_for(ready, timeout, lambda: f"{count} call(s) of {method}")

    def wait_for_callback_answers(self, count: int, timeout: float = 10.0) -> list[Params]:
        def ready() -> list[Params] | None:
            with self._cond:
                found = list(self.callback_answers)
            return found if len(found) >= count else None

        return self.wait_for(ready, timeout, lambda: f"{count} callback answer(s)")

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, ready: Callable[[], T | None], timeout: float, what: Callable[[], str]) -> T:
        """Poll ``ready`` (under the fake's lock) until it returns something, or time out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = ready()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what()}")
                self._cond.wait(min(remaining, 0.5))

    # ------------------------------------------------------------------ internals

    def _message(
        self, chat_id: int, text: str, markup: Json | None, message_id: int | None = None
    ) -> Json:
        with self._cond:
            new_id = message_id or next(self._message_ids)
        message: Json = {
            "message_id": new_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": self.bot_user(),
        }
        if text:
            message["text"] = _plain(text)
        if markup:
            message["reply_markup"] = markup
        return message

    def _record(self, method: str, params: Params, message: Json | None) -> None:
        entry = {
            "method": method,
            "chat_id": _int(params.get("chat_id"), 0) if params.get("chat_id") else None,
            "message_id": message["message_id"] if message else None,
            "text": str(params.get("text") or ""),
            "parse_mode": params.get("parse_mode"),
            "reply_markup": _markup(params.get("reply_markup")),
            "link_preview_options": _json_value(params.get("link_preview_options")),
            "params": dict(params),
            "message": message,
            "at": time.time(),
        }
        with self._cond:
            self.sent.append(entry)
            self._cond.notify_all()

    @staticmethod
    def _command_key(params: Params) -> tuple[str, str]:
        scope = _json_value(params.get("scope")) or {"type": "default"}
        return str(scope.get("type", "default")), str(params.get("language_code") or "")


def buttons(message: Json) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button on a recorded message."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


# ---------------------------------------------------------------------- Telegram's checks

_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
    "tg-time",
}
_HTML_TOKEN = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:\s[^<>]*)?)>|<|&(#x[0-9a-fA-F]+|#\d+|\w+);")
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


def check_text(text: str, parse_mode: object) -> None:
    """Refuse a text as Telegram would: empty, too long, or HTML that does not parse."""
    visible = text
    if str(parse_mode or "").upper() == "HTML":
        visible = _check_html(text)
    if not visible.strip():
        raise BotAPIError(400, "Bad Request: message text is empty")
    if len(visible.encode("utf-16-le")) // 2 > MAX_TEXT_UTF16:
        raise BotAPIError(400, "Bad Request: message is too long")


def _check_html(text: str) -> str:
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    for match in _HTML_TOKEN.finditer(text):
        visible.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        offset = len(text[: match.start()].encode())
        if token == "<":
            raise BotAPIError(
                400, f"Bad Request: can't parse entities: Unexpected < at byte offset {offset}"
            )
        if token.startswith("&"):
            name = match.group(4)
            if not name.startswith("#") and name not in _NAMED_ENTITIES:
                raise BotAPIError(
                    400,
                    f"Bad Request: can't parse entities: Unsupported HTML entity at byte"
                    f" offset {offset}",
                )
            visible.append(html.unescape(token))
            continue
        closing, name = match.group(1), match.group(2).lower()
        if name not in _ALLOWED_TAGS:
            raise BotAPIError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte'
                f" offset {offset}",
            )
        if not closing:
            if name == "a" and "href" not in match.group(3):
                raise BotAPIError(400, "Bad Request: can't parse entities: a without href")
            stack.append(name)
        elif not stack or stack[-1] != name:
            raise BotAPIError(
                400,
                f"Bad Request: can't parse entities: Unmatched end tag at byte offset {offset},"
                f' expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
            )
        else:
            stack.pop()
    visible.append(text[position:])
    if stack:
        raise BotAPIError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start"
            f' tag "{stack[-1]}"',
        )
    return "".join(visible)


def _markup(value: object) -> Json | None:
    markup = _json_value(value)
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise BotAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text") or "").strip():
                raise BotAPIError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_BYTES:
                raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


# ---------------------------------------------------------------------- small helpers


def _chat(chat_id: int) -> Json:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"Parent{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _int(value: object, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        raise BotAPIError(400, f"Bad Request: expected an integer, got {value!r}") from None


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _require_chat(params: Params) -> int:
    if params.get("chat_id") in (None, ""):
        raise BotAPIError(400, "Bad Request: chat_id is empty")
    return _int(params["chat_id"], 0)


def _json_value(value: object) -> Any:
    """Form bodies carry nested objects as JSON strings; JSON bodies carry them as they are."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise BotAPIError(400, "Bad Request: can't parse JSON object") from None
    return value


def _split_path(path: str) -> tuple[str, str]:
    # /bot<token>/<method>
    match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)/?", path)
    if match is None:
        return "", ""
    return match.group(1), match.group(2)


def _parse_body(content_type: str, body: bytes, query: str | bytes) -> Params:
    if isinstance(query, bytes):
        query = query.decode()
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        loaded = json.loads(body)
        if isinstance(loaded, dict):
            params.update(loaded)
    elif kind == "multipart/form-data":
        raw = f"Content-Type: {content_type}\r\n\r\n".encode() + body
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name and not part.get_filename():
                payload = part.get_payload(decode=True)
                params[str(name)] = payload.decode() if isinstance(payload, bytes) else ""
            elif name:
                params[str(name)] = f"<file {part.get_filename()}>"
    else:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing a kept-alive connection (a bot shutting down) is normal here.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBotAPI
    # Keep-alive, as Telegram does; idle connections are dropped after this many seconds.
    protocol_version = "HTTP/1.1"
    timeout = 120
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms on Linux), which would swamp every latency measured here.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        token, method = _split_path(url.path)
        if not method:
            status, payload = 404, BotAPIError(404, "Not Found").payload()
        else:
            try:
                params = _parse_body(self.headers.get("Content-Type", ""), body, url.query)
            except (ValueError, UnicodeDecodeError):
                status, payload = 400, BotAPIError(400, "Bad Request: invalid body").payload()
            else:
                status, payload = self.fake.handle(token, method, params)
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a delay fault longer than its timeout)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry the token; tests look at .calls instead


if __name__ == "__main__":  # pragma: no cover - for poking at it by hand
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    with FakeBotAPI().start(parser.parse_args().port) as fake:
        print(f"fake Bot API on {fake.base_url}<token>/<method>  (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
