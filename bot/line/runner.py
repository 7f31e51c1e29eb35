"""LINE in ``tsunagu run``: the webhook server and the worker that answers its events.

With Telegram configured too, :func:`serve_line` runs beside polling in the same process
(one engine, one database, one outbox); alone, :func:`run_line` serves until SIGTERM or
SIGINT and exits 0, as the Telegram runner does.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from linebot.v3.messaging import AsyncMessagingApi

from bot.config import ConfigError, Settings
from bot.housekeeping import run_housekeeping
from bot.line.client import LineSender, messaging_client
from bot.line.config import WEBHOOK_PATH, LineSettings
from bot.line.inbox import LineInbox, Unfollowed
from bot.line.webhook import start_webhook
from bot.services import Services
from bot.telegram.application import describe_error
from bot.telegram.runner import configure_logging
from bot.telegram.upkeep import CONTENT_CHECK_INTERVAL_S, HOUSEKEEPING_INTERVAL_S
from content.watch import watch_content

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
    """LINE, ready to send: ``sender`` pushes, ``unfollowed`` says to whom not to, and
    :meth:`receive` starts the webhook and the worker that answers its events."""

    settings: LineSettings
    services: Services
    sender: LineSender
    unfollowed: Unfollowed
    _worker: asyncio.Task[None] | None = None
    _webhook: web.AppRunner | None = None

    async def receive(self) -> None:
        inbox = LineInbox(self.services, self.sender, self.unfollowed)
        # The worker first takes what a previous run left; the webhook keeps new events
        # meanwhile and wakes it.
        self._worker = asyncio.create_task(guarded_worker(inbox))
        self._webhook = await start_webhook(self.settings, inbox.keep)
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


async def serve_line(services: Services, settings: LineSettings) -> None:
    """Serve LINE's webhook and answer its events until cancelled."""
    async with line_channel(settings, services) as channel:
        await channel.receive()
        await asyncio.Event().wait()


def line_job(settings: LineSettings) -> Callable[[Any, Any], Awaitable[None]]:
    """LINE as one of the Telegram application's background jobs (both channels at once)."""

    async def job(services: Any, bot: Any) -> None:
        await serve_line(services, settings)

    return job


def run_line(settings: Settings, line: LineSettings) -> int:
    """LINE alone: serve until stopped; 0 on a clean stop, 1 or 2 when it could not start."""
    configure_logging(settings.log_level, line_secrets(line))
    try:
        return asyncio.run(_serve(settings, line))
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    except OSError as exc:
        # The webhook's port taken, say: the address is ours, the error's text is not
        # personal, but its type and errno are all that is needed.
        log.error(
            "could not start the LINE webhook on %s:%s (%s)",
            line.webhook_host,
            line.webhook_port,
            type(exc).__name__,
        )
        return 1


async def _serve(settings: Settings, line: LineSettings) -> int:
    services = await Services.start(
        settings.db, settings.content_dir, settings.roster_seed(), settings.desk_settings()
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(serve_line(services, line))
    upkeep = [
        asyncio.create_task(_housekeeping(services)),
        asyncio.create_task(
            watch_content(services.content, CONTENT_CHECK_INTERVAL_S, lambda result: None)
        ),
    ]
    try:
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done() and not stopped.done():
            serving.result()  # raises what stopped it (the webhook's port taken...)
        stopped.cancel()
    finally:
        for task in (serving, *upkeep):
            task.cancel()
        await asyncio.gather(serving, *upkeep, return_exceptions=True)
        await services.close()
    log.info("stopped")
    return 0


async def _housekeeping(services: Services) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_S)
        try:
            report = await run_housekeeping(services)
        except Exception as exc:
            log.error("housekeeping failed: %s", describe_error(exc))
            continue
        if report.reminders:
            # Marked sent by housekeeping; the Telegram driver is the one that pushes them.
            log.warning(
                "%d draft reminder(s) not sent: Telegram is not configured", len(report.reminders)
            )
