"""Work the Telegram driver does beside polling: request housekeeping and content reloads.

Both run as plain asyncio tasks started once the services are open (PTB's JobQueue
would need APScheduler for two loops with a sleep in them).
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.housekeeping import run_housekeeping
from bot.services import Services
from bot.telegram.application import BackgroundJob, DeskServices, describe_error
from bot.telegram.render import send_replies
from content.watch import watch_content

# Reminders are due after 24 hours and only in the daytime, so a few minutes late is fine.
HOUSEKEEPING_INTERVAL_S = 600.0
# A snapshot of the content directory is a few stat calls; staff see an edit within seconds.
CONTENT_CHECK_INTERVAL_S = 5.0

log = logging.getLogger(__name__)


def housekeeping(interval_s: float = HOUSEKEEPING_INTERVAL_S) -> BackgroundJob:
    async def job(services: DeskServices, bot: Bot) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await housekeeping_once(cast(Services, services), bot)
            except Exception as exc:
                log.error("housekeeping failed: %s", describe_error(exc))

    return job


async def housekeeping_once(services: Services, bot: Bot) -> None:
    report = await run_housekeeping(services)
    for item in report.reminders:
        if item.channel != "telegram":
            continue  # a draft started at the console is reminded there, not here
        try:
            await send_replies(bot, [item.reply], item.chat_id)
        except Forbidden:
            pass  # the parent blocked the bot; the draft expires on its own
        except TelegramError as exc:
            # Marked sent already (housekeeping's rule: lose one reminder, never send two).
            log.warning("draft reminder not delivered: %s", type(exc).__name__)


def content_reloads(interval_s: float = CONTENT_CHECK_INTERVAL_S) -> BackgroundJob:
    async def job(services: DeskServices, bot: Bot) -> None:
        # The store logs what it reloaded or refused; nothing more to do with the result.
        await watch_content(cast(Services, services).content, interval_s, lambda result: None)

    return job
