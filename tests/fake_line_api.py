"""A fake LINE Messaging API for tests, on 127.0.0.1 only.

It serves what the desk calls through ``line-bot-sdk`` (reply, push, bot info and message
content, which LINE serves from its api-data host: with ``Configuration(host=...)`` the SDK
sends every call to the one host, so the fake answers both), checks bodies against LINE's
documented limits and answers 400 in LINE's error shape when one is broken, so a test fails
where LINE would refuse.

    async with FakeLineAPI() as api:
        token = api.issue_reply_token("U" + "0" * 32)
        ...                                 # the code under test calls api.base_url
        assert api.texts("U" + "0" * 32) == ["..."]

Reply tokens are valid once and for ``reply_token_ttl`` seconds; pushes honour
``X-Line-Retry-Key`` (a key already accepted answers 409 and sends nothing again); the next N
calls can be made to fail with 429 or 500 (:meth:`FakeLineAPI.fail_next`).

Lengths are counted the way LINE documents them: texts in UTF-16 code units, action labels
by characters (LINE counts grapheme clusters there; a character count is never lower).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]

BOT_USER_ID = "U" + "f" * 32
MAX_MESSAGES = 5
MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_ACTION_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 400
MAX_BUTTONS_TEXT = 160
MAX_BUTTONS_TEXT_WITH_TITLE = 60
MAX_TEMPLATE_TITLE = 40
MAX_BUTTONS_ACTIONS = 4
MAX_CAROUSEL_BUBBLES = 12
MAX_BUBBLE_BYTES = 30_000
MESSAGE_TYPES = frozenset(
    {"text", "sticker", "image", "video", "audio", "location", "imagemap", "template", "flex"}
)
_TO = re.compile(r"^[UCR][0-9a-f]{32}$")


class ManualClock:
    """A monotonic clock the test moves by hand (reply tokens expire on it)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class LineRefusal(Exception):
    """A body LINE would refuse: answered 400 with LINE's error shape."""

    def __init__(self, message: str, details: list[Json] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


@dataclass
class Call:
    method: str
    path: str
    status: int
    retry_key: str | None = None


@dataclass
class Sent:
    """One accepted message, with how it went out."""

    to: str
    via: str  # "reply" or "push"
    message: Json


@dataclass
class _Token:
    user_id: str
    expires: float
    used: bool = False


@dataclass
class FakeLineAPI:
    access_token: str = "test-line-access-token"
    reply_token_ttl: float = 60.0
    clock: Callable[[], float] = time.monotonic

    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    # The 400s a body earned, as (path, LINE's message): a test can see why it was refused.
    refusals: list[tuple[str, str]] = field(default_factory=list)
    contents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # Well-formed user ids LINE does not know for this channel (see :meth:`forget`).
    unknown_users: set[str] = field(default_factory=set)
    # The language each person's LINE app is set to, as the profile endpoint tells it
    # (none: the profile has no language, as LINE answers when it does not know).
    languages: dict[str, str] = field(default_factory=dict)

    _tokens: dict[str, _Token] = field(default_factory=dict)
    _accepted_keys: dict[str, str] = field(default_factory=dict)
    _faults: list[tuple[int, float | None]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100_000))
    _runner: web.AppRunner | None = None
    port: int = 0

    # --- running -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self.port, "the fake is not started"
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_post("/v2/bot/message/push", self._push)
        app.router.add_get("/v2/bot/info", self._info)
        app.router.add_get("/v2/bot/profile/{user_id}", self._profile)
        app.router.add_get("/v2/bot/message/{message_id}/content", self._content)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLineAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- what tests set up and read ------------------------------------------------------

    def issue_reply_token(self, user_id: str, ttl: float | None = None) -> str:
        """A token as a webhook event would carry it, valid once for ``ttl`` seconds."""
        token = uuid.uuid4().hex
        life = self.reply_token_ttl if ttl is None else ttl
        self._tokens[token] = _Token(user_id, self.clock() + life)
        return token

    def fail_next(self, count: int, status: int = 500, retry_after: float | None = None) -> None:
        """The next ``count`` calls answer ``status`` (429 or 500) and do nothing."""
        assert status in (429, 500)
        self._faults.extend([(status, retry_after)] * count)

    def forget(self, user_id: str) -> None:
        """Pushes to ``user_id`` are refused from now on the way LINE refuses an id it does
        not know (400 naming the ``to`` property): nobody there to deliver to.

        A user who blocks the account is not modelled: LINE tells the bot of that with an
        unfollow event, and its answer to a later push is not documented.
        """
        self.unknown_users.add(user_id)

    def add_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        self.contents[message_id] = (data, content_type)

    def messages(self, user_id: str) -> list[Json]:
        return [s.message for s in self.sent if s.to == user_id]

    def texts(self, user_id: str) -> list[str]:
        return [m["text"] for m in self.messages(user_id) if m.get("type") == "text"]

    # --- handlers ------------------------------------------------------------------------

    async def _reply(self, request: web.Request) -> web.Response:
        def accept(body: Json) -> Json:
            token = body.get("replyToken")
            if not isinstance(token, str) or not token:
                raise LineRefusal(
                    "The request body has 1 error(s)",
                    [{"message": "must be specified", "property": "replyToken"}],
                )
            messages = _check_messages(body.get("messages"))
            issued = self._tokens.get(token)
            if issued is None or issued.used or self.clock() > issued.expires:
                raise LineRefusal("Invalid reply token")
            issued.used = True
            return self._record(issued.user_id, "reply", messages)

        return await self._handle(request, accept)

    async def _push(self, request: web.Request) -> web.Response:
        key = request.headers.get("X-Line-Retry-Key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return self._answer(request, 400, {"message": "Invalid retry key"})
            if key in self._accepted_keys:
                # LINE: the same key was accepted before; nothing is sent again.
                request_id = self._accepted_keys[key]
                return self._answer(
                    request,
                    409,
                    {"message": "The retry key is already accepted"},
                    headers={"X-Line-Accepted-Request-Id": request_id},
                )

        def accept(body: Json) -> Json:
            to = body.get("to")
            if not isinstance(to, str) or not _TO.match(to) or to in self.unknown_users:
                raise LineRefusal("The property, 'to', in the request body is invalid")
            messages = _check_messages(body.get("messages"))
            answer = self._record(to, "push", messages)
            if key is not None:
                self._accepted_keys[key] = uuid.uuid4().hex
            return answer

        return await self._handle(request, accept, retry_key=key)

    async def _profile(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        if user_id in self.unknown_users:
            return web.json_response({"message": "Not found"}, status=404)

        def profile(_: object) -> Json:
            found: Json = {"userId": user_id, "displayName": "LINE user"}
            if user_id in self.languages:
                found["language"] = self.languages[user_id]
            return found

        return await self._handle(request, profile, has_body=False)

    async def _info(self, request: web.Request) -> web.Response:
        return await self._handle(
            request,
            lambda _: {
                "userId": BOT_USER_ID,
                "basicId": "@000tsunagu",
                "displayName": "tsunagu (test)",
                "chatMode": "bot",
                "markAsReadMode": "auto",
            },
            has_body=False,
        )

    async def _content(self, request: web.Request) -> web.Response:
        failed = self._gate(request)
        if failed is not None:
            return failed
        found = self.contents.get(request.match_info["message_id"])
        if found is None:
            return self._answer(request, 404, {"message": "Not found"})
        data, content_type = found
        self.calls.append(Call(request.method, request.path, 200))
        return web.Response(body=data, content_type=content_type)

    # --- plumbing ------------------------------------------------------------------------

    def _gate(self, request: web.Request) -> web.Response | None:
        """Authorization first, then an injected fault (which consumes nothing else)."""
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._answer(
                request,
                401,
                {
                    "message": "Authentication failed. Confirm that the access token in the"
                    " authorization header is valid."
                },
            )
        if self._faults:
            status, retry_after = self._faults.pop(0)
            headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
            message = (
                "The API rate limit has been exceeded. Try again later."
                if status == 429
                else "Internal server error"
            )
            return self._answer(request, status, {"message": message}, headers=headers)
        return None

    async def _handle(
        self,
        request: web.Request,
        accept: Callable[[Json], Json],
        *,
        retry_key: str | None = None,
        has_body: bool = True,
    ) -> web.Response:
        failed = self._gate(request)
        if failed is not None:
            return failed
        body: Json = {}
        if has_body:
            try:
                parsed = json.loads(await request.text())
            except ValueError:
                return self._answer(request, 400, {"message": "The request body is not JSON"})
            if not isinstance(parsed, dict):
                return self._answer(request, 400, {"message": "The request body is not JSON"})
            body = parsed
        try:
            answer = accept(body)
        except LineRefusal as refusal:
            self.refusals.append((request.path, refusal.message))
            payload: Json = {"message": refusal.message}
            if refusal.details:
                payload["details"] = refusal.details
            return self._answer(request, 400, payload)
        return self._answer(request, 200, answer, retry_key=retry_key)

    def _answer(
        self,
        request: web.Request,
        status: int,
        payload: Json,
        *,
        headers: dict[str, str] | None = None,
        retry_key: str | None = None,
    ) -> web.Response:
        key = retry_key if retry_key is not None else request.headers.get("X-Line-Retry-Key")
        self.calls.append(Call(request.method, request.path, status, key))
        answer_headers = {"X-Line-Request-Id": uuid.uuid4().hex, **(headers or {})}
        return web.json_response(payload, status=status, headers=answer_headers)

    def _record(self, to: str, via: str, messages: list[Json]) -> Json:
        sent = []
        for message in messages:
            self.sent.append(Sent(to, via, message))
            sent.append({"id": str(next(self._ids)), "quoteToken": uuid.uuid4().hex})
        return {"sentMessages": sent}


# --- LINE's limits -----------------------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _problem(prop: str, message: str) -> LineRefusal:
    return LineRefusal("The request body has 1 error(s)", [{"message": message, "property": prop}])


def _check_messages(messages: object) -> list[Json]:
    if not isinstance(messages, list) or not messages:
        raise _problem("messages", "Size must be between 1 and 5")
    if len(messages) > MAX_MESSAGES:
        raise _problem("messages", f"Size must be between 1 and {MAX_MESSAGES}")
    for index, message in enumerate(messages):
        _check_message(f"messages[{index}]", message)
    return messages


def _check_message(prop: str, message: object) -> None:
    if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
        raise _problem(f"{prop}.type", "Invalid message type")
    kind = message["type"]
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text:
            raise _problem(f"{prop}.text", "May not be empty")
        if _utf16(text) > MAX_TEXT_UTF16:
            raise _problem(f"{prop}.text", f"Length must be between 0 and {MAX_TEXT_UTF16}")
    elif kind == "template":
        _check_alt_text(prop, message)
        _check_template(f"{prop}.template", message.get("template"))
    elif kind == "flex":
        _check_alt_text(prop, message)
        _check_flex(f"{prop}.contents", message.get("contents"))
    if "quickReply" in message:
        _check_quick_reply(f"{prop}.quickReply", message["quickReply"])


def _check_alt_text(prop: str, message: Json) -> None:
    alt = message.get("altText")
    if not isinstance(alt, str) or not alt or _utf16(alt) > MAX_ALT_TEXT:
        raise _problem(f"{prop}.altText", f"Length must be between 1 and {MAX_ALT_TEXT}")


def _check_quick_reply(prop: str, quick: object) -> None:
    items = quick.get("items") if isinstance(quick, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_QUICK_REPLY_ITEMS:
        raise _problem(f"{prop}.items", f"Size must be between 1 and {MAX_QUICK_REPLY_ITEMS}")
    for index, item in enumerate(items):
        if not isinstance(item, dict) or item.get("type") != "action":
            raise _problem(f"{prop}.items[{index}].type", "Must be action")
        action = item.get("action")
        _check_action(f"{prop}.items[{index}].action", action, label_required=True)
        assert isinstance(action, dict)
        if action.get("type") == "postback" and not (
            action.get("displayText") or action.get("text")
        ):
            raise _problem(
                f"{prop}.items[{index}].action.displayText", "Required for a quick reply postback"
            )


def _check_action(prop: str, action: object, *, label_required: bool) -> None:
    if not isinstance(action, dict) or not isinstance(action.get("type"), str):
        raise _problem(f"{prop}.type", "Invalid action type")
    label = action.get("label")
    if label is None and label_required:
        raise _problem(f"{prop}.label", "May not be empty")
    if label is not None and (
        not isinstance(label, str) or not label or len(label) > MAX_ACTION_LABEL
    ):
        raise _problem(f"{prop}.label", f"Length must be between 1 and {MAX_ACTION_LABEL}")
    if action["type"] == "postback":
        data = action.get("data")
        if not isinstance(data, str) or not data or len(data) > MAX_POSTBACK_DATA:
            raise _problem(f"{prop}.data", f"Length must be between 1 and {MAX_POSTBACK_DATA}")
        if action.get("displayText") is not None and action.get("text") is not None:
            raise _problem(f"{prop}", "displayText and text cannot be used together")
        shown = action.get("displayText") or ""
        if not isinstance(shown, str) or len(shown) > MAX_DISPLAY_TEXT:
            raise _problem(
                f"{prop}.displayText", f"Length must be between 0 and {MAX_DISPLAY_TEXT}"
            )


def _check_template(prop: str, template: object) -> None:
    if not isinstance(template, dict):
        raise _problem(prop, "May not be empty")
    kind = template.get("type")
    actions = template.get("actions")
    text = template.get("text")
    if kind == "buttons":
        has_header = bool(template.get("title") or template.get("thumbnailImageUrl"))
        limit = MAX_BUTTONS_TEXT_WITH_TITLE if has_header else MAX_BUTTONS_TEXT
        if not isinstance(text, str) or not text or len(text) > limit:
            raise _problem(f"{prop}.text", f"Length must be between 1 and {limit}")
        title = template.get("title")
        if title is not None and (not isinstance(title, str) or len(title) > MAX_TEMPLATE_TITLE):
            raise _problem(f"{prop}.title", f"Length must be between 0 and {MAX_TEMPLATE_TITLE}")
        if not isinstance(actions, list) or not actions or len(actions) > MAX_BUTTONS_ACTIONS:
            raise _problem(f"{prop}.actions", f"Size must be between 1 and {MAX_BUTTONS_ACTIONS}")
    elif kind == "confirm":
        if not isinstance(text, str) or not text or len(text) > 240:
            raise _problem(f"{prop}.text", "Length must be between 1 and 240")
        if not isinstance(actions, list) or len(actions) != 2:
            raise _problem(f"{prop}.actions", "Size must be 2")
    else:
        raise _problem(f"{prop}.type", "Invalid template type")
    for index, action in enumerate(actions):
        _check_action(f"{prop}.actions[{index}]", action, label_required=True)


def _check_flex(prop: str, contents: object) -> None:
    if not isinstance(contents, dict):
        raise _problem(prop, "May not be empty")
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not bubbles or len(bubbles) > MAX_CAROUSEL_BUBBLES:
            raise _problem(f"{prop}.contents", f"Size must be between 1 and {MAX_CAROUSEL_BUBBLES}")
        for index, bubble in enumerate(bubbles):
            _check_bubble(f"{prop}.contents[{index}]", bubble)
    else:
        _check_bubble(prop, contents)


def _check_bubble(prop: str, bubble: object) -> None:
    if not isinstance(bubble, dict) or bubble.get("type") != "bubble":
        raise _problem(f"{prop}.type", "Must be bubble or carousel")
    if len(json.dumps(bubble, ensure_ascii=False).encode()) > MAX_BUBBLE_BYTES:
        raise _problem(prop, f"A bubble must be at most {MAX_BUBBLE_BYTES} bytes")
    for part in ("header", "hero", "body", "footer"):
        if part in bubble:
            _check_component(f"{prop}.{part}", bubble[part])


def _check_component(prop: str, component: object) -> None:
    if not isinstance(component, dict) or not isinstance(component.get("type"), str):
        raise _problem(f"{prop}.type", "Invalid component type")
    kind = component["type"]
    if kind == "box":
        if component.get("layout") not in ("horizontal", "vertical", "baseline"):
            raise _problem(f"{prop}.layout", "Invalid layout")
        children = component.get("contents")
        if not isinstance(children, list):
            raise _problem(f"{prop}.contents", "May not be null")
        for index, child in enumerate(children):
            _check_component(f"{prop}.contents[{index}]", child)
    elif kind == "text":
        text = component.get("text")
        if not isinstance(text, str) or not text:
            raise _problem(f"{prop}.text", "May not be empty")
    elif kind == "button" and "action" not in component:
        raise _problem(f"{prop}.action", "May not be null")
    if "action" in component:
        _check_action(f"{prop}.action", component["action"], label_required=kind == "button")


# --- webhook events as LINE sends them ---------------------------------------------------


def signature(channel_secret: str, body: bytes) -> str:
    """``X-Line-Signature`` for ``body``: HMAC-SHA256 with the channel secret, base64."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_body(*events: Json) -> bytes:
    return json.dumps(
        {"destination": BOT_USER_ID, "events": list(events)}, ensure_ascii=False
    ).encode()


_event_ids = itertools.count(1)


def _event(
    kind: str,
    user_id: str,
    *,
    reply_token: str | None,
    event_id: str | None,
    redelivery: bool,
    **fields: Any,
) -> Json:
    event: Json = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        # LINE's ids are ULIDs: 26 characters of Crockford's base32.
        "webhookEventId": event_id or f"01TEST{next(_event_ids):020d}",
        "deliveryContext": {"isRedelivery": redelivery},
        **fields,
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def text_event(
    api: FakeLineAPI,
    user_id: str,
    text: str,
    *,
    event_id: str | None = None,
    redelivery: bool = False,
) -> Json:
    """A text message from ``user_id``, with a reply token the fake will accept."""
    message = {
        "type": "text",
        "id": str(next(api._ids)),
        "quoteToken": uuid.uuid4().hex,
        "text": text,
    }
    return _event(
        "message",
        user_id,
        reply_token=api.issue_reply_token(user_id),
        event_id=event_id,
        redelivery=redelivery,
        message=message,
    )


def postback_event(
    api: FakeLineAPI,
    user_id: str,
    data: str,
    *,
    event_id: str | None = None,
    redelivery: bool = False,
) -> Json:
    return _event(
        "postback",
        user_id,
        reply_token=api.issue_reply_token(user_id),
        event_id=event_id,
        redelivery=redelivery,
        postback={"data": data},
    )


def follow_event(api: FakeLineAPI, user_id: str, *, event_id: str | None = None) -> Json:
    return _event(
        "follow",
        user_id,
        reply_token=api.issue_reply_token(user_id),
        event_id=event_id,
        redelivery=False,
        follow={"isUnblocked": False},
    )


def unfollow_event(user_id: str, *, event_id: str | None = None) -> Json:
    return _event("unfollow", user_id, reply_token=None, event_id=event_id, redelivery=False)


def sticker_event(api: FakeLineAPI, user_id: str, *, event_id: str | None = None) -> Json:
    message = {
        "type": "sticker",
        "id": str(next(api._ids)),
        "quoteToken": uuid.uuid4().hex,
        "packageId": "446",
        "stickerId": "1988",
        "stickerResourceType": "STATIC",
    }
    return _event(
        "message",
        user_id,
        reply_token=api.issue_reply_token(user_id),
        event_id=event_id,
        redelivery=False,
        message=message,
    )


def postback_actions(message: Json) -> list[Json]:
    """Every postback action (a button) in a sent LINE message, quick replies and Flex
    boxes alike, in order."""
    found: list[Json] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            action = node.get("action")
            if isinstance(action, dict) and action.get("type") == "postback":
                found.append(action)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message)
    return found
