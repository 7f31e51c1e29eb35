"""The desk's clock: reminders and escalations for tickets nobody has taken.

Checked every few minutes beside whichever channels run; the decisions are in
flows/desk/timing.py and the messages go out through the outbox like everything else the
desk sends.
"""

from __future__ import annotations

import asyncio
import logging

from bot.errors import describe_error
from bot.services import Services
from flows.desk.timing import remind_unclaimed

# Reminders count business hours; a few minutes late is of no consequence.
DESK_TIMERS_INTERVAL_S = 300.0

log = logging.getLogger(__name__)


async def desk_timers_once(services: Services) -> tuple[int, int]:
    deps = services.engine.deps
    async with services.db.transaction() as tx:
        counts = await remind_unclaimed(deps, tx, deps.clock.now())
    if any(counts):
        services.outbox_signal.set()
        log.info("desk: %d reminder(s), %d escalation(s) queued", *counts)
    return counts


async def desk_timers(services: Services, interval_s: float = DESK_TIMERS_INTERVAL_S) -> None:
    while True:
        try:
            await desk_timers_once(services)
        except Exception as exc:
            log.error("desk timers failed: %s", describe_error(exc))
        await asyncio.sleep(interval_s)
