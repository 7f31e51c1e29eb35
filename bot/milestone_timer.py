"""Information for the child's age: every few minutes, queue the milestones that are due.

The decisions are in flows/milestones/sending.py; the messages go out through the outbox
like everything else the desk sends, so a crash or a messenger being away loses none and
sends none twice.
"""

from __future__ import annotations

import asyncio
import logging

from bot.errors import describe_error
from bot.services import Services
from flows.milestones.sending import send_due_milestones

# Milestones are due on a day, not at an hour: checking every quarter of an hour is plenty.
MILESTONE_INTERVAL_S = 900.0

log = logging.getLogger(__name__)


async def milestones_once(services: Services) -> int:
    deps = services.engine.deps
    async with services.db.transaction() as tx:
        queued = await send_due_milestones(deps, tx, deps.clock.now())
    if queued:
        services.outbox_signal.set()
        log.info("milestones: %d message(s) queued", queued)
    return queued


async def milestone_timer(services: Services, interval_s: float = MILESTONE_INTERVAL_S) -> None:
    while True:
        try:
            await milestones_once(services)
        except Exception as exc:
            log.error("milestones failed: %s", describe_error(exc))
        await asyncio.sleep(interval_s)
