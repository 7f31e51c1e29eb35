"""``tsunagu run``: one desk serving every configured channel until SIGTERM or SIGINT, then
a clean exit (code 0).

In this order: the services open (database, content, engine); each configured channel gets
ready to send (:func:`start_channels`); the desk's own work starts beside them with their
outbound ports (bot/jobs.py: the outbox, reminders, milestones, housekeeping); then the
channels begin to receive. Stopping goes the other way round: nothing more is received,
the jobs stop (a job cut off rolls its transaction back), the channels close their
connections, and the database closes last.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings
from bot.errors import StartFailed, describe_error
from bot.line.config import LineSettings
from bot.outbound import Outbound

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Begins receiving on a channel that is ready to send (Telegram's long polling, LINE's
# webhook).
Receiver = Callable[[], Awaitable[None]]


def run(settings: Settings, line: LineSettings | None = None) -> int:
    """Serve until stopped; 0 on a clean stop, 1 when the desk could not start.

    LINE's settings are read here unless given; a half-done or malformed one raises
    :class:`ConfigError` naming it.
    """
    from bot.line.config import load_line_settings

    line = line if line is not None else load_line_settings()
    if settings.bot_token is None and not line.enabled:
        # No channel configured: one line naming what to set, as for any missing setting.
        print(
            "TSUNAGU_BOT_TOKEN: is not set (get one from @BotFather; for LINE, set"
            " TSUNAGU_LINE_CHANNEL_SECRET and TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN)",
            file=sys.stderr,
        )
        return 2
    from bot.line.runner import line_secrets
    from bot.telegram.runner import configure_logging, token_variants

    secrets = line_secrets(line)
    if settings.bot_token is not None:
        secrets += token_variants(settings.bot_token.get_secret_value())
    configure_logging(settings.log_level, secrets)
    try:
        asyncio.run(serve(settings, line=line))
    except StartFailed as exc:
        log.error("%s", exc)
        return 1
    except ConfigError as exc:
        # Raised while opening the services (a roster entry naming an unknown office...);
        # its message names the setting and holds nothing personal.
        log.error("configuration error: %s", exc)
        return 2
    except Exception as exc:
        log.error("could not start: %s", _startup_problem(exc))
        return 1
    log.info("stopped")
    return 0


async def serve(
    settings: Settings, stop: asyncio.Event | None = None, line: LineSettings | None = None
) -> None:
    """Run the desk until ``stop`` is set (by default: until SIGTERM or SIGINT); LINE too
    when ``line`` has its secret and token."""
    # Imported here so that a missing setting stops the start before the content loads.
    from bot.jobs import start_jobs, stop_jobs
    from bot.services import Services

    stop = stop or _stop_on_signals()
    async with AsyncExitStack() as stack:
        services = await Services.start(
            settings.db, settings.content_dir, settings.roster_seed(), settings.desk_settings(),
            semantic=settings.semantic,
        )
        stack.push_async_callback(services.close)
        outbounds: list[Outbound] = []
        receivers = await start_channels(settings, services, outbounds, stack, line)
        jobs = start_jobs(services, outbounds)
        stack.push_async_callback(stop_jobs, jobs)
        for receive in receivers:
            await receive()
        log.info("desk running on %s", ", ".join(o.channel for o in outbounds))
        await stop.wait()


async def start_channels(
    settings: Settings,
    services: Services,
    outbounds: list[Outbound],
    stack: AsyncExitStack,
    line: LineSettings | None = None,
) -> list[Receiver]:
    """Get each configured channel ready to send, add its outbound port to ``outbounds``,
    and return how each begins receiving (called once the desk's jobs run).

    A channel's connections close through ``stack`` when the desk stops. A channel that
    cannot start raises :class:`bot.errors.StartFailed` with the line to log.
    """
    receivers: list[Receiver] = []
    if settings.bot_token is not None:
        from bot.telegram.runner import telegram_channel

        telegram = await stack.enter_async_context(telegram_channel(settings, services))
        outbounds.append(telegram.outbound)
        receivers.append(telegram.receive)
    if line is not None and line.enabled:
        from bot.line.runner import line_channel

        line_desk = await stack.enter_async_context(line_channel(line, services))
        outbounds.append(line_desk.outbound)
        receivers.append(line_desk.receive)
    return receivers


def _stop_on_signals() -> asyncio.Event:
    # SIGTERM is how a service manager stops us: the update being handled is finished,
    # receiving stops, the database is closed, and the exit code is 0.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _startup_problem(exc: Exception) -> str:
    # Looked up rather than imported: if the content code itself failed to import,
    # importing it again here would only raise a second error.
    content_error = getattr(sys.modules.get("content.source"), "ContentError", None)
    if content_error is not None and isinstance(exc, content_error):
        # Problems in staff-edited files name the file and field, never a person.
        return "the content files are invalid:\n" + str(exc)
    return describe_error(exc)
