"""Notice staff edits to the content files while the bot runs.

A snapshot of the content directory (name, modification time and size of every
YAML file) costs a few ``stat`` calls, so it can be taken every few seconds; only
when it changes are the files read, checked and the matcher rebuilt — in a worker
thread, so answering parents never waits for it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from content.loader import LoadResult

log = logging.getLogger(__name__)

Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(root: Path) -> Snapshot:
    """Name, mtime (ns) and size of each content file.

    Hidden files are left out: editors' swap files and the temporary files of an
    atomic rewrite come and go without being content.
    """
    found: list[tuple[str, int, int]] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return ()
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith((".yaml", ".yml")):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue  # deleted between listing and stat: the next snapshot sees it
        found.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


class Reloadable(Protocol):
    def reload_if_changed(self) -> LoadResult | None: ...


# Called with every reload that happened (valid or refused); may be sync or async.
OnResult = Callable[[LoadResult], object]


async def watch_content(store: Reloadable, interval_s: float, on_result: OnResult) -> None:
    """Check the content directory every ``interval_s`` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            # Reading the files and building the matcher take long enough to stall
            # the conversations if run on the event loop.
            result = await asyncio.to_thread(store.reload_if_changed)
        except Exception:
            # A bug or an unreadable disk must not stop the watching for good.
            log.exception("content watch: checking for changes failed")
            continue
        if result is None:
            continue
        try:
            outcome = on_result(result)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            log.exception("content watch: on_result failed")


def describe_refusal(result: LoadResult, shown: int = 3) -> str:
    """One log line for a refused change: how many errors and the first few.

    Problems name files, lines, ids and fields of the content, never anything a
    family wrote, so they are safe to log.
    """
    first = "; ".join(str(p) for p in result.errors[:shown])
    more = len(result.errors) - shown
    return f"{len(result.errors)} error(s): {first}" + (f"; and {more} more" if more > 0 else "")
