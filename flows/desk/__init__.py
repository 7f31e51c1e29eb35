"""The coordinators' desk: new tickets announced in the coordinators' group, claimed there,
worked on in private chats, and the family kept in the loop through the bot.

- The group (``TSUNAGU_COORDINATORS_CHAT``) sees each ticket without personal details
  (flows/desk/views.py) with “Take it” and “Details”; the first to take it holds it.
- The details go only to the holder's private chat (flows/desk/details.py), through the
  outbox, which the worker in bot/outbox_worker.py sends at each channel's pace.
- Coordinators write to the family with /reply or by answering a ticket's message; the
  family's messages reach the holder (flows/desk/relay.py). The FAQ stays reachable for a
  family with an open ticket: each relay confirmation has a button that answers the same
  words from the FAQ instead, and emergencies are answered before anything is relayed.
- /queue, /mine, /ticket, /note, /close, /reopen and friends (flows/desk/commands.py);
  the needs and problems found, for the support council (flows/desk/needs.py);
  reminders and escalation of unclaimed tickets (flows/desk/timing.py).
- /share sends a request's summary to the partners of a related department, only with the
  family's consent (flows/desk/sharing.py); /families is the whole picture of the families
  the desk knows (flows/desk/families.py).

Only coordinators on the roster (kept in the database; staff edit it with /roster) may
use the desk; anyone else is refused politely and the attempt is audited.
"""

from __future__ import annotations

from content.records import EmergencyAssessment
from flows import callbacks
from flows.desk import commands, families, needs, relay, roster, sharing
from flows.desk.access import coordinators_only, desk_member
from flows.desk.context import DeskTurn
from flows.desk.refs import references_in
from flows.desk.relay import FAMILY_BUTTON, FamilyButtons
from flows.desk.views import DESK_BUTTON
from flows.faq import FaqFlow
from flows.menu import MenuFlow
from flows.ports import CoordinatorStore, RelayStore, Store
from flows.router import AFTER_DANGER_OPEN_REQUEST, BEFORE_DANGER_COORDINATOR, Router
from flows.staff.access import staff_command
from flows.turn import Handler, Turn

__all__ = ["DeskFlow", "register"]

_COMMANDS = {
    "desk": commands.overview,
    "queue": commands.queue,
    "mine": commands.mine,
    "ticket": commands.show_ticket,
    "note": commands.note,
    "reply": commands.reply,
    "claim": commands.claim,
    "release": commands.release,
    "assign": commands.assign,
    "close": commands.close,
    "reopen": commands.reopen,
    "need": needs.record,
    "needs": needs.listing,
    "needstatus": needs.status,
    "share": sharing.share,
    "families": families.show,
}


class DeskFlow:
    def __init__(self, faq: FaqFlow) -> None:
        self.faq = faq
        self.family = FamilyButtons(faq)
        # The same guarded handlers the router holds, for the coordinators' group.
        self.group_commands: dict[str, Handler] = {}
        self.desk_button: Handler = coordinators_only(commands.button, "button:dk")

    @staticmethod
    def is_desk_chat(turn: Turn) -> bool:
        chat = turn.deps.desk.coordinators_chat
        inbound = turn.inbound
        return chat is not None and inbound.chat_id == chat and inbound.chat_type != "private"

    async def in_group(self, turn: Turn[Store]) -> None:
        """The coordinators' group: desk commands, desk buttons, answers to the bot's
        messages. Everything else there is the coordinators talking among themselves."""
        inbound = turn.inbound
        if inbound.kind == "command":
            handler = self.group_commands.get(inbound.command or "")
            if handler is not None:
                await handler(turn, (inbound.text,))
        elif inbound.kind == "button":
            parts = callbacks.parse(inbound.button)
            if parts and parts[0] == DESK_BUTTON:
                await self.desk_button(turn, parts[1:])
            else:
                turn.toast = turn._("This button no longer works.")
        elif inbound.kind == "text" and inbound.reply_to_text:
            await self.coordinator_reply(turn, inbound.text)

    async def note_private_chat(self, turn: Turn[CoordinatorStore]) -> None:
        """A coordinator writing to the bot privately can be sent details from now on."""
        member = await turn.store.roster.get(turn.inbound.user_id)
        if member is not None and not member.private_chat:
            await turn.store.roster.note_private_chat(member.user_id, turn.deps.clock.now())

    async def coordinator_reply(self, turn: Turn[CoordinatorStore], text: str) -> bool:
        """A coordinator answering one of the bot's messages about a ticket: pass it to the
        family. False when it is not that (a parent answering their own confirmation)."""
        references = references_in(turn.inbound.reply_to_text or "")
        if not references or not text.strip():
            return False
        member = await desk_member(turn)
        if member is None:
            return False
        d = DeskTurn(turn, member)
        if len(references) > 1:
            d.say(d._("That message is about several tickets ({references}). Please use /reply"
                      " with the reference.").format(references=", ".join(references)))
            return True
        ticket = await turn.store.desk.by_reference(references[0])
        if ticket is None:
            d.say(d._("There is no ticket {reference}.").format(reference=references[0]))
            return True
        await relay.to_family(d, ticket, text)
        return True

    async def family_text(
        self, turn: Turn[RelayStore], text: str, danger: EmergencyAssessment
    ) -> bool:
        """A family with an open request: their words go to it (after any emergency notice)."""
        return await relay.from_family(turn, text, emergency=danger.emergency, faq=self.faq)


def register(router: Router, menu: MenuFlow, faq: FaqFlow) -> DeskFlow:
    flow = DeskFlow(faq)
    for name, handler in _COMMANDS.items():
        guarded = coordinators_only(handler)
        # No description: the desk's commands stay out of the families' command list.
        router.command(name, guarded)
        flow.group_commands[name] = guarded
    router.button(DESK_BUTTON, flow.desk_button)
    router.button(FAMILY_BUTTON, flow.family.handle)
    router.button(needs.NEED_BUTTON, coordinators_only(needs.button, "button:nd"))
    router.command("roster", staff_command(menu, roster.show))
    router.group_chat(flow.is_desk_chat, flow.in_group)
    router.on_private(flow.note_private_chat)
    # A coordinator answering a ticket's message writes to a family, not to the FAQ.
    router.text_before_danger(BEFORE_DANGER_COORDINATOR, flow.coordinator_reply)
    router.text_after_danger(AFTER_DANGER_OPEN_REQUEST, flow.family_text)
    return flow
