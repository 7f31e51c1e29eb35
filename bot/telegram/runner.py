"""Telegram in ``tsunagu run``: the bot, ready to send once it has said who it is, then long
polling until the desk stops (bot/run.py), and the logging that keeps its token out.

Long polling confirms a batch of updates only when the next is asked for, and that waits
until the batch is handled (``HandledFirstBot``), so stopping at any moment loses nothing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.config import Settings
from bot.errors import StartFailed, describe_error
from bot.services import Services
from bot.telegram.application import UpdateHandlers, build_application
from bot.telegram.desk_menu import publish_desk_commands
from bot.telegram.outbound import TelegramOutbound

log = logging.getLogger(__name__)

# Libraries whose DEBUG output carries request URLs (with the bot token in the path)
# or whole payloads (what parents wrote): they never log below these levels, whatever
# the configured level is.
_QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
}


class RedactingFormatter(logging.Formatter):
    """Replaces secrets wherever they turn up, tracebacks included: a last line of defence."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


def token_variants(token: str) -> list[str]:
    """The token as it may appear: whole, URL-encoded, and its secret half alone."""
    _, _, secret = token.partition(":")
    return [token, token.replace(":", "%3A"), token.replace(":", "%3a"), secret]


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name, floor in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    # PTB's warnings go through the same handler, so they are redacted too.
    logging.captureWarnings(True)


@dataclass(frozen=True)
class TelegramChannel:
    application: Application  # type: ignore[type-arg]
    outbound: TelegramOutbound
    poll_timeout: float

    async def receive(self) -> None:
        """Start long polling (the answers to updates go out as they are handled)."""
        updater = self.application.updater
        assert updater is not None

        def polling_failed(error: TelegramError) -> None:
            # To the application's error handler, as PTB's run_polling does.
            self.application.create_task(self.application.process_error(None, error))

        await updater.start_polling(
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            timeout=timedelta(seconds=self.poll_timeout),
            error_callback=polling_failed,
        )
        await self.application.start()
        log.info("Telegram: long polling")


@asynccontextmanager
async def telegram_channel(settings: Settings,
                           services: Services) -> AsyncIterator[TelegramChannel]:
    """The bot, initialised (it knows its name) and ready to send; polling stops and the
    bot's connections close on the way out. The services stay open: they are the desk's."""

    async def open_services() -> Services:
        return services

    application = build_application(settings, open_services)
    try:
        await application.initialize()
    except InvalidToken:
        raise StartFailed("Telegram refused the bot token; check TSUNAGU_BOT_TOKEN") from None
    except TelegramError as exc:
        raise StartFailed(f"could not start: {describe_error(exc)}; check"
                          " TSUNAGU_API_BASE_URL and the network") from None
    try:
        handlers: UpdateHandlers = application.bot_data["handlers"]
        await handlers.post_init(application)
        await publish_desk_commands(application.bot, services.engine.deps)
        yield TelegramChannel(application, TelegramOutbound(application.bot),
                              settings.poll_timeout)
    finally:
        updater = application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
