"""Who may act at the desk, and what everyone else hears.

Coordinators (and supervisors) on the roster may press the desk's buttons and use its
commands. Anyone else is told politely that these are for the coordinators, and the
attempt goes to the audit log (who and what, never a message's text).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from flows.desk.context import DeskTurn
from flows.ports import RosterMember
from flows.turn import Handler, Turn

DeskHandler = Callable[[DeskTurn, tuple[str, ...]], Awaitable[None]]


async def desk_member(turn: Turn) -> RosterMember | None:
    member = await turn.store.roster.get(turn.inbound.user_id)
    if member is None or not (member.coordinator or member.supervisor):
        return None
    name = turn.inbound.display_name
    if name and not member.display_name:
        # Seeded from the environment with an id only: the group needs a name to show.
        member = member.model_copy(update={"display_name": name[:60]})
        await turn.store.roster.put(member, turn.deps.clock.now())
    return member


async def refuse(turn: Turn, what: str) -> None:
    await turn.store.audit.write(
        at=turn.deps.clock.now(), actor=str(turn.inbound.user_id), action="denied",
        subject=what,
    )
    message = turn._("Sorry, this is only for the desk's coordinators.")
    if turn.inbound.kind == "button":
        turn.toast = message
    else:
        turn.say(message)


def coordinators_only(handler: DeskHandler, what: str | None = None) -> Handler:
    """Wrap a desk command or button so only coordinators reach it."""

    async def guarded(turn: Turn, args: tuple[str, ...]) -> None:
        member = await desk_member(turn)
        if member is None:
            label = what or (f"/{turn.inbound.command}" if turn.inbound.command else "button")
            await refuse(turn, label)
            return
        await handler(DeskTurn(turn, member), args)

    return guarded
