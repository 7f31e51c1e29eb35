"""Work beside whichever channels run: request housekeeping and content reloads.

Both run as plain asyncio tasks started once the services are open (bot/jobs.py). The
draft reminders housekeeping hands back go out through the outbound port of the draft's
channel.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping

from bot.errors import describe_error
from bot.housekeeping import run_housekeeping
from bot.outbound import Outbound, Refused, SendFailure
from bot.services import Services
from content.watch import watch_content
from flows.address import Channel, channel_of

# Reminders are due after 24 hours and only in the daytime, so a few minutes late is fine.
HOUSEKEEPING_INTERVAL_S = 600.0
# A snapshot of the content directory is a few stat calls; staff see an edit within seconds.
CONTENT_CHECK_INTERVAL_S = 5.0

log = logging.getLogger(__name__)


async def housekeeping(
    services: Services,
    outbounds: Mapping[Channel, Outbound],
    interval_s: float = HOUSEKEEPING_INTERVAL_S,
) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await housekeeping_once(services, outbounds)
        except Exception as exc:
            log.error("housekeeping failed: %s", describe_error(exc))


async def housekeeping_once(services: Services, outbounds: Mapping[Channel, Outbound]) -> None:
    report = await run_housekeeping(services)
    for item in report.reminders:
        to = item.chat_id
        outbound = outbounds.get(channel_of(to))
        if outbound is None:
            # A draft started at the console is reminded there, not pushed; one of a
            # channel not running here is lost (marked sent: never two reminders).
            continue
        try:
            # Each reminder is sent once and never retried, so any key unique to it will do.
            await outbound.send(to, item.reply, key=f"draft-reminder:{uuid.uuid4()}")
        except Refused:
            pass  # the parent blocked the bot; the draft expires on its own
        except SendFailure as failure:
            # Marked sent already (housekeeping's rule: lose one reminder, never send two).
            log.warning("draft reminder not delivered: %s", failure.reason)


async def content_reloads(services: Services, interval_s: float = CONTENT_CHECK_INTERVAL_S) -> None:
    # The store logs what it reloaded or refused; nothing more to do with the result.
    await watch_content(services.content, interval_s, lambda result: None)
