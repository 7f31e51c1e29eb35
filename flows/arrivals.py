"""Which flyer brought a family: ``/start <source>`` on the first contact, counted per day.

A flyer's QR code opens ``https://t.me/<bot>?start=<source>``; Telegram then sends
``/start <source>``. The desk counts it only when this chat has never talked to the desk
before (no saved session yet), so a family is counted once, by the flyer that brought it,
and someone already known who scans another flyer is not counted again. What is stored is a
count per source and Tokyo day and nothing else: no user id, no time of day, no marker of
the person, so nothing can tell which family came from where. The session that makes the
chat "known" is kept by the desk anyway and says nothing about the source.

Staff on the roster are left out: they scan the flyers they print to try them. An id that is
malformed or names no source in ``sources.yaml`` is ignored; the welcome is the same.
"""

from __future__ import annotations

from content.base import in_tokyo
from flows.ports import ArrivalStore
from flows.router import Router
from flows.turn import Turn

# What Telegram passes on from a start parameter (content/sources.py checks the file's ids
# with the same rule).
MAX_SOURCE_CHARS = 64
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def source_of(turn: Turn) -> str | None:
    """The known source named by this ``/start``, or None."""
    inbound = turn.inbound
    if inbound.kind != "command" or inbound.command != "start":
        return None
    payload = inbound.text.strip()
    if not payload or len(payload) > MAX_SOURCE_CHARS or not set(payload) <= _ALLOWED:
        return None
    return payload if turn.content.sources.get(payload) is not None else None


async def note_arrival(turn: Turn[ArrivalStore]) -> None:
    # updated_at is set once a session has been saved: only a chat's very first step lacks it.
    if turn.session.updated_at is not None:
        return
    source = source_of(turn)
    if source is None or await turn.store.roster.get(turn.inbound.user_id) is not None:
        return
    await turn.store.arrivals.count(source, in_tokyo(turn.deps.clock.now()).date())


def register(router: Router) -> None:
    router.on_private(note_arrival)
