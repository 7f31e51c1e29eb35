"""The button under every milestone: stop these messages.

Recorded as a withdrawal of that one purpose in the consent log (append-only), so the
request and any sharing the family agreed to stay as they were; nothing more is sent
(flows/milestones/sending.py reads the consent in force before each message).
"""

from __future__ import annotations

from flows.menu import menu_keyboard
from flows.milestones.delivery import MILESTONE_BUTTON, STOP
from flows.ports import ConsentStore
from flows.records import ConsentDecision
from flows.router import Router
from flows.text import join_lines
from flows.tickets import consent_in_force
from flows.turn import Turn


class StopMilestones:
    def __init__(self, router: Router) -> None:
        self.router = router

    async def press(self, turn: Turn[ConsentStore], parts: tuple[str, ...]) -> None:
        _ = turn._
        if parts != (STOP,):
            turn.toast = _("This button no longer works.")
            turn.say(_("That button no longer works."), menu_keyboard(turn, self.router))
            return
        subject = turn.session.key
        current = consent_in_force(await turn.store.consents.history(subject))
        if current is None or not current.age_information:
            turn.toast = _("Already stopped.")
            turn.say(_("You do not receive information for the child's age: there is nothing"
                       " to stop."))
            return
        await turn.store.consents.append(
            ConsentDecision(
                subject=subject, at=turn.deps.clock.now(), decision="withdrawn",
                locale=turn.locale, text_version=current.text_version,
                text_hash=current.text_hash, use_for_request=current.use_for_request,
                share_with_departments=current.share_with_departments, age_information=False,
                writer=current.writer, guardian_confirmed=current.guardian_confirmed,
                purpose="age_information",
            )
        )
        turn.toast = _("Stopped.")
        turn.say(join_lines([
            _("Understood. You will not receive information for the child's age any more."),
            _("Your request and your other choices stay as they were. /mydata shows what is"
              " stored; to receive this information again, make a new request and tick it on"
              " the consent screen."),
        ]))


def register(router: Router) -> StopMilestones:
    flow = StopMilestones(router)
    router.button(MILESTONE_BUTTON, flow.press)
    return flow
