"""Who may use the staff commands, and what everyone else sees instead.

Staff are roster members with ``staff`` set. Anyone else gets exactly the reply an
unknown command or an out-of-date button gets, so the staff commands are not revealed,
and the attempt goes to the audit log (who and which command, never the text).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from flows.menu import MenuFlow
from flows.ports import RosterStore, StaffStore
from flows.records import RosterMember
from flows.turn import Handler, TextHandler, Turn

StaffHandler = Callable[[Turn[StaffStore], RosterMember, tuple[str, ...]], Awaitable[None]]
StaffText = Callable[[Turn[StaffStore], RosterMember, str], Awaitable[None]]


async def staff_member(turn: Turn[RosterStore]) -> RosterMember | None:
    member = await turn.store.roster.get(turn.inbound.user_id)
    return member if member is not None and member.staff else None


def staff_command(menu: MenuFlow, handler: StaffHandler) -> Handler:
    async def guarded(turn: Turn[StaffStore], args: tuple[str, ...]) -> None:
        member = await staff_member(turn)
        if member is None:
            await turn.record_denied(f"/{turn.inbound.command or ''}")
            menu.unknown_command(turn)
            return
        await handler(turn, member, args)

    return guarded


def staff_button(menu: MenuFlow, handler: StaffHandler) -> Handler:
    async def guarded(turn: Turn[StaffStore], parts: tuple[str, ...]) -> None:
        member = await staff_member(turn)
        if member is None:
            # Only the first part: the rest is whatever the sender made up.
            await turn.record_denied("button:" + (parts[0] if parts else ""))
            menu.stale_button(turn)
            return
        await handler(turn, member, parts)

    return guarded


def staff_text(menu: MenuFlow, handler: StaffText) -> TextHandler:
    async def guarded(turn: Turn[StaffStore], text: str) -> None:
        member = await staff_member(turn)
        if member is None:
            # Taken off the roster half-way through an edit: the edit is dropped.
            await turn.record_denied("text")
            turn.reset()
            menu.show_menu(turn)
            return
        await handler(turn, member, text)

    return guarded
