"""The desk's own work beside whichever channels run: the outbox worker, the desk's
reminders and escalations, the milestones, housekeeping and content reloads.

None of it belongs to a messenger: everything it sends goes through the outbound ports of
the channels running in this process, so a desk with LINE alone still pushes and reminds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.desk_timers import desk_timers
from bot.errors import describe_error
from bot.milestone_timer import milestone_timer
from bot.outbound import Outbound
from bot.outbox_worker import OutboxWorker, WorkerSettings
from bot.services import Services
from bot.upkeep import content_reloads, housekeeping

log = logging.getLogger(__name__)


def start_jobs(
    services: Services, outbounds: Sequence[Outbound], worker: WorkerSettings | None = None
) -> list[asyncio.Task[None]]:
    """Start the jobs on the open services; stop them with :func:`stop_jobs`."""
    by_channel = {outbound.channel: outbound for outbound in outbounds}
    jobs = (
        OutboxWorker(services, outbounds, worker).run(),
        desk_timers(services),
        milestone_timer(services),
        housekeeping(services, by_channel),
        content_reloads(services),
    )
    return [start_job(job) for job in jobs]


def start_job(job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Run ``job`` beside the desk; a failure is logged, never worth stopping the desk for."""
    task = asyncio.create_task(job)
    task.add_done_callback(_report)
    return task


def _report(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("background job stopped: %s", describe_error(error))


async def stop_jobs(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel the jobs and wait for them: one cut off mid-way rolls its transaction back."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
