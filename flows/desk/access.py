"""Who may act at the desk, and what everyone else hears.

Coordinators (and supervisors) on the roster may press the desk's buttons and use its
commands. Anyone else is told politely that these are for the coordinators, and the
attempt goes to the audit log (who and what, never a message's text).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from flows.desk.context import DeskTurn
from flows.ports import CoordinatorStore, RosterStore
from flows.records import RosterMember
from flows.turn import Handler, Turn

# How long a person who tried a desk command in the group is not told again there.
GROUP_REFUSAL_INTERVAL = timedelta(hours=1)
_REFUSED_AT = "desk_refused_at"

DeskHandler = Callable[[DeskTurn, tuple[str, ...]], Awaitable[None]]


async def desk_member(turn: Turn[RosterStore]) -> RosterMember | None:
    member = await turn.store.roster.get(turn.inbound.user_id)
    if member is None or not (member.coordinator or member.supervisor):
        return None
    name = turn.inbound.display_name
    if name and not member.display_name:
        # Seeded from the environment with an id only: the group needs a name to show.
        member = member.model_copy(update={"display_name": name[:60]})
        await turn.store.roster.put(member, turn.deps.clock.now())
    return member


async def refuse(turn: Turn[RosterStore], what: str) -> None:
    await turn.record_denied(what)
    now = turn.deps.clock.now()
    message = turn._("Sorry, this is only for the desk's coordinators.")
    if turn.inbound.kind == "button":
        turn.toast = message  # seen by the person who pressed only
        if turn.inbound.chat_type == "private":
            turn.say(message)  # channels without toasts drop them
    elif turn.inbound.chat_type == "private" or _note_due(turn, now):
        turn.say(message)


def _note_due(turn: Turn, now: datetime) -> bool:
    """In the coordinators' group a refusal is posted for everyone to read: once per person
    in a while is enough (every attempt is still audited). The session is per person and
    chat, so it remembers when this person last heard it here."""
    last = turn.session.data.get(_REFUSED_AT)
    if isinstance(last, str) and now - datetime.fromisoformat(last) < GROUP_REFUSAL_INTERVAL:
        return False
    turn.session.data[_REFUSED_AT] = now.isoformat()
    return True


def coordinators_only(handler: DeskHandler, what: str | None = None) -> Handler:
    """Wrap a desk command or button so only coordinators reach it."""

    async def guarded(turn: Turn[CoordinatorStore], args: tuple[str, ...]) -> None:
        member = await desk_member(turn)
        if member is None:
            label = what or (f"/{turn.inbound.command}" if turn.inbound.command else "button")
            await refuse(turn, label)
            return
        await handler(DeskTurn(turn, member), args)

    return guarded
