"""LINE's webhook: ``POST /line/webhook``, signed, stored first, answered at once.

LINE wants an answer within two seconds and redelivers what it did not see acknowledged, so
the events of a request are handed to the injected store (one quick write), and the answer
goes out as soon as they are kept; the engine handles them afterwards from the store, the
way polled Telegram updates are claimed before they are handled. A request that is not
signed with the channel secret is refused before anything is read from it, and no body is
ever logged: it carries what families wrote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiohttp import web
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import Event

from bot.line.config import WEBHOOK_PATH, LineSettings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Line-Signature"


@dataclass(frozen=True)
class ReceivedEvent:
    """One webhook event as it arrived.

    ``event_id`` is LINE's ``webhookEventId``: the same for every delivery of an event, so
    the store can keep it once. ``raw`` is the event's JSON as LINE sent it, to be stored
    and read back with :func:`parse_event` after a restart.
    """

    event_id: str
    redelivery: bool
    event: LineEvent
    raw: dict[str, Any]


# Kinds the SDK does not know (LINE adds some now and then) arrive as UnknownEvent.
LineEvent: TypeAlias = Event | UnknownEvent
StoreEvents = Callable[[Sequence[ReceivedEvent]], Awaitable[None]]


def parse_event(raw: dict[str, Any]) -> LineEvent:
    """An event's SDK model from its stored JSON, read as the SDK's parser reads it."""
    event: LineEvent
    try:
        event = Event.from_dict(raw)
    except ValueError:
        event = UnknownEvent.new_from_json_dict(raw)
    return event


def webhook_app(channel_secret: str, store: StoreEvents) -> web.Application:
    """The aiohttp application that serves :data:`~bot.line.config.WEBHOOK_PATH`."""
    parser = WebhookParser(channel_secret)

    async def receive(request: web.Request) -> web.Response:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            log.warning("LINE webhook call without a signature refused")
            return web.json_response({"message": "signature required"}, status=400)
        raw_body = await request.read()
        try:
            body = raw_body.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("LINE webhook call refused: body is not UTF-8")
            return web.json_response({"message": "bad body"}, status=400)
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            log.warning("LINE webhook call with a wrong signature refused")
            return web.json_response({"message": "invalid signature"}, status=401)
        except (ValueError, KeyError, TypeError) as exc:
            # Signed by LINE yet not what its reference describes: nothing can be done
            # with it, and a redelivery would not be different.
            log.error("signed LINE webhook body not understood (%s)", type(exc).__name__)
            return web.json_response({"message": "bad body"}, status=400)
        raws = json.loads(body)["events"]
        received = [_received(event, raw) for event, raw in zip(events, raws, strict=True)]
        if received:
            try:
                await store(received)
            except Exception as exc:
                # Not kept, so not acknowledged: LINE sends the request again (when
                # redelivery is on in the console) rather than the events being lost.
                log.error("LINE webhook events not stored (%s)", type(exc).__name__)
                return web.json_response({"message": "try again"}, status=500)
        return web.json_response({})

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, receive)
    return app


def _received(event: LineEvent, raw: dict[str, Any]) -> ReceivedEvent:
    context = raw.get("deliveryContext") or {}
    return ReceivedEvent(
        event_id=str(raw.get("webhookEventId") or ""),
        redelivery=bool(context.get("isRedelivery", False)),
        event=event,
        raw=raw,
    )


async def start_webhook(settings: LineSettings, store: StoreEvents) -> web.AppRunner:
    """Serve the webhook on the configured host and port; ``cleanup()`` the runner to stop.

    LINE reaches it over HTTPS only, so in production a reverse proxy terminates TLS and
    forwards ``POST /line/webhook`` here.
    """
    assert settings.channel_secret is not None
    app = webhook_app(settings.channel_secret.get_secret_value(), store)
    # No access log: the refusals are logged above, and the rest is LINE calling.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    return runner
