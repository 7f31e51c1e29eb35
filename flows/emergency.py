"""Emergency guidance: shown before anything else when a message sounds like one.

What is said comes from content/data/emergency.yaml, kept and reviewed by staff: a heading
that says to call 119, then for each kind of danger recognised (at most two, the first ones
found) the published first steps and whom to call, then #7119 / #8000 and the reminder that
this chat is not an emergency service. When the detector is unsure, one calm line instead.
"""

from __future__ import annotations

from content.models import TO_FILL
from content.records import EmergencyAssessment
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.turn import Turn

# More than two kinds of guidance at once would bury the first thing to do.
CATEGORIES_SHOWN = 2


def _shown(text: str) -> Html:
    # A detail staff still have to confirm is marked for them, not shown to parents.
    return esc(text.replace(TO_FILL, "").strip())


def emergency_text(turn: Turn, assessment: EmergencyAssessment) -> Html:
    guide = turn.content.emergency
    if guide is None:
        return _generic(turn)
    loc = turn.locale
    shown = [c for c in (guide.category(s) for s in assessment.signals) if c is not None]
    # A gastrostomy out is first for the hospital: the heading says to act now, and keeps
    # 119 for breathing or consciousness; any kind that is first for 119 says 119 at once.
    first_for_119 = not shown or any(c.call == "119" for c in shown[:CATEGORIES_SHOWN])
    heading = guide.heading if first_for_119 else guide.heading_urgent
    lines = [markup("⚠️ <b>{}</b>").format(heading.get(loc).removeprefix("⚠️ "))]
    for category in shown[:CATEGORIES_SHOWN]:
        lines += [BLANK, markup("<b>{}</b>").format(category.label.get(loc)),
                  _shown(category.steps.get(loc))]
    calls = {c.call for c in shown[:CATEGORIES_SHOWN]}
    lines.append(BLANK)
    if "poison" in calls:
        lines.append(_shown(guide.poison_center.get(loc)))
    if "hospital" in calls:
        lines.append(_shown(guide.hospital.get(loc)))
    lines += [_shown(guide.numbers.get(loc)), BLANK, _shown(guide.not_a_service.get(loc))]
    return join_lines(lines)


def _generic(turn: Turn) -> Html:
    """The guidance when no emergency.yaml is loaded (tests that build content by hand)."""
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


def say_emergency(turn: Turn, assessment: EmergencyAssessment) -> None:
    turn.say(emergency_text(turn, assessment))


def say_maybe(turn: Turn) -> None:
    """One calm line when a message might describe danger but the detector is not sure."""
    guide = turn.content.emergency
    if guide is not None:
        turn.say(_shown(guide.maybe.get(turn.locale)))
    else:
        turn.say(turn._("If your child may be in danger now, call 119 (ambulance) right away."))
