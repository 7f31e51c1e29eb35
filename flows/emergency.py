"""Emergency guidance: shown before anything else when a message sounds like one."""

from __future__ import annotations

from flows.text import BLANK, Html, join_lines
from flows.turn import Turn


def emergency_text(turn: Turn) -> Html:
    _ = turn._
    return join_lines(
        [
            _("⚠️ <b>If your child may be in danger now, call 119 (ambulance) right away.</b>"),
            _(
                "For example: breathing is hard or has stopped, lips are turning blue, the child"
                " does not respond, a seizure does not stop, the tracheostomy tube has come out"
                " and cannot be put back, or the ventilator alarms or loses power and breathing"
                " cannot be kept up."
            ),
            BLANK,
            _("Not sure whether to call an ambulance? Tokyo Emergency Consultation Center:"
              " <b>#7119</b> (24 hours)."),
            _("Advice about a sick child: Children's Medical Telephone Consultation"
              " <b>#8000</b> (evenings, nights and holidays)."),
            BLANK,
            _("This chat is not an emergency service and nobody watches it around the clock."),
        ]
    )


def say_emergency(turn: Turn) -> None:
    turn.say(emergency_text(turn))
