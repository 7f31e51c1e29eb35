"""LINE in ``tsunagu run``: ready to send (its outbound port), then receiving (the webhook and
the worker that answers its events). bot/run.py starts it beside Telegram or alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from linebot.v3.messaging import AsyncMessagingApi

from bot.errors import StartFailed, describe_error
from bot.line.client import LineSender, messaging_client
from bot.line.config import WEBHOOK_PATH, LineSettings
from bot.line.inbox import LineInbox, Unfollowed
from bot.line.outbound import LineOutbound
from bot.line.webhook import start_webhook
from bot.outbound import Outbound
from bot.services import Services

log = logging.getLogger(__name__)

# After the worker failed, it starts again after this pause.
WORKER_RESTART_S = 5.0


def line_secrets(settings: LineSettings) -> list[str]:
    """What the logs must never show of LINE's settings."""
    return [
        value.get_secret_value()
        for value in (settings.channel_secret, settings.channel_access_token)
        if value is not None
    ]


@dataclass
class LineChannel:
    """LINE, ready to send through ``outbound``; :meth:`receive` starts the webhook and the
    worker that answers its events."""

    settings: LineSettings
    services: Services
    sender: LineSender
    unfollowed: Unfollowed
    outbound: Outbound = field(init=False)
    _worker: asyncio.Task[None] | None = None
    _webhook: web.AppRunner | None = None

    def __post_init__(self) -> None:
        self.outbound = LineOutbound(self.sender, unfollowed=self.unfollowed)

    async def receive(self) -> None:
        inbox = LineInbox(self.services, self.sender, self.unfollowed)
        # The worker first takes what a previous run left; the webhook keeps new events
        # meanwhile and wakes it.
        self._worker = asyncio.create_task(guarded_worker(inbox))
        try:
            self._webhook = await start_webhook(self.settings, inbox.keep)
        except OSError as exc:
            raise StartFailed(
                f"the LINE webhook could not listen on {self.settings.webhook_host}:"
                f"{self.settings.webhook_port} ({type(exc).__name__}); check"
                " TSUNAGU_LINE_WEBHOOK_HOST and TSUNAGU_LINE_WEBHOOK_PORT"
            ) from None
        log.info(
            "LINE webhook listening on %s:%s%s",
            self.settings.webhook_host,
            self.settings.webhook_port,
            WEBHOOK_PATH,
        )

    async def close(self) -> None:
        # Nothing more is kept, then the worker stops (a step cut off rolls back and is
        # handled again after the restart).
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None


@asynccontextmanager
async def line_channel(settings: LineSettings, services: Services) -> AsyncIterator[LineChannel]:
    """LINE ready to send; the webhook and the worker stop and the API client closes on the
    way out. The services stay open: they are the desk's."""
    async with messaging_client(settings) as client:
        channel = LineChannel(
            settings,
            services,
            LineSender(AsyncMessagingApi(client)),
            await Unfollowed.load(services),
        )
        try:
            yield channel
        finally:
            await channel.close()


async def guarded_worker(inbox: LineInbox) -> None:
    while True:
        try:
            await inbox.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The database failing, say: the events stay kept; try again after a pause.
            log.error("LINE worker failed: %s", describe_error(exc))
            await asyncio.sleep(WORKER_RESTART_S)
