"""``tsunagu run``: long polling until SIGTERM or SIGINT, then a clean exit (code 0)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Iterable
from datetime import timedelta

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.config import ConfigError, Settings
from bot.line.config import LineSettings
from bot.telegram.application import (
    BackgroundJob,
    DeskServices,
    build_application,
    describe_error,
)

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


def run(settings: Settings, line: LineSettings | None = None) -> int:
    """Serve until stopped; 0 on a clean stop, 1 when the desk could not start.

    With ``line`` (its secret and token set), LINE's webhook and worker run beside polling.
    """
    if settings.bot_token is None:
        print("TSUNAGU_BOT_TOKEN: is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    token = settings.bot_token.get_secret_value()
    line_on = line is not None and line.enabled
    secrets = token_variants(token)
    if line is not None and line_on:
        from bot.line.runner import line_secrets

        secrets += line_secrets(line)
    configure_logging(settings.log_level, secrets)

    # Imported here so that the Telegram side can be built and tested without the content.
    from bot.services import Services
    from bot.telegram.desk_timers import desk_timers
    from bot.telegram.milestone_timer import milestone_timer
    from bot.telegram.outbox_worker import outbox_worker
    from bot.telegram.upkeep import content_reloads, housekeeping

    async def open_services() -> DeskServices:
        return await Services.start(settings.db, settings.content_dir, settings.roster_seed(),
                                    settings.desk_settings())

    background: list[BackgroundJob] = [housekeeping(), content_reloads(), outbox_worker(),
                                       desk_timers(), milestone_timer()]
    if line is not None and line_on:
        from bot.line.runner import line_job

        background.append(line_job(line))
    application = build_application(settings, open_services, background=background)
    # A loop of our own, closed by run_polling at the end, so run() leaves no state behind.
    asyncio.set_event_loop(asyncio.new_event_loop())
    log.info("starting long polling")
    try:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            timeout=timedelta(seconds=settings.poll_timeout),
            # SIGTERM is how a service manager stops us: the update being handled is
            # finished, polling stops, the database is closed, and the exit code is 0.
            stop_signals=(signal.SIGINT, signal.SIGTERM),
            close_loop=True,
        )
    except InvalidToken:
        log.error("Telegram refused the bot token; check TSUNAGU_BOT_TOKEN")
        return 1
    except TelegramError as exc:
        log.error(
            "could not start: %s; check TSUNAGU_API_BASE_URL and the network",
            describe_error(exc),
        )
        return 1
    except ConfigError as exc:
        # Raised while opening the services (a roster entry naming an unknown office...);
        # its message names the setting and holds nothing personal.
        log.error("configuration error: %s", exc)
        return 2
    except Exception as exc:
        log.error("could not start: %s", _startup_problem(exc))
        return 1
    finally:
        asyncio.set_event_loop(None)
    log.info("stopped")
    return 0


def _startup_problem(exc: Exception) -> str:
    # Looked up rather than imported: if the content code itself failed to import,
    # importing it again here would only raise a second error.
    content_error = getattr(sys.modules.get("content.source"), "ContentError", None)
    if content_error is not None and isinstance(exc, content_error):
        # Problems in staff-edited files name the file and field, never a person.
        return "the content files are invalid:\n" + str(exc)
    return describe_error(exc)
