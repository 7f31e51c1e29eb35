"""The child's age as a band: what the coordinators' group and the council report show.

A birth month is too close to identifying a child, and a band by Japanese schooling is
what decides the services, so neither reader needs more. Both use these bands and
labels: a child the group saw as "3–5 years (preschool)" is counted under the same line
in the report. The age is the one when the request was made, because the intake's
"2 years" answer is as of then; a birth month is measured on that day too, so two
children of the same age fall in the same band however their parents answered.
"""

from __future__ import annotations

from datetime import datetime

from content.base import N_, in_tokyo

BEFORE_BIRTH = "before_birth"
ADULT = "18+"
# No age to band: the details are deleted (withdrawn or past retention) or never given.
NOT_RECORDED = "not_recorded"
# (highest age in years, band): infants, preschool, primary, junior high, high school.
_UPPER_YEARS: tuple[tuple[int, str], ...] = (
    (0, "0"), (2, "1-2"), (5, "3-5"), (11, "6-11"), (14, "12-14"), (17, "15-17"),
)
# Every band in order, with its label (NOT_RECORDED is labelled by whoever counts it).
LABELS: dict[str, str] = {
    BEFORE_BIRTH: N_("Before birth"),
    "0": N_("Under 1 year"),
    "1-2": N_("1–2 years"),
    "3-5": N_("3–5 years (preschool)"),
    "6-11": N_("6–11 years (primary school age)"),
    "12-14": N_("12–14 years (junior high school age)"),
    "15-17": N_("15–17 years (high school age)"),
    ADULT: N_("18 years and over"),
}


def age_band(age: object, at: datetime) -> str:
    """The band of the intake's age answer (``{"kind": "age"|"born"|"due", …}``) at ``at``,
    the moment the request was made; NOT_RECORDED when there is no answer to read."""
    if not isinstance(age, dict):
        return NOT_RECORDED
    kind = age.get("kind")
    if kind == "due":
        return BEFORE_BIRTH
    if kind == "age" and isinstance(age.get("years"), int):
        years: int = age["years"]
    elif kind == "born" and isinstance(age.get("month"), str):
        try:
            year, month = (int(p) for p in age["month"].split("-"))
        except ValueError:
            return NOT_RECORDED
        local = in_tokyo(at)
        years = max((local.year - year) * 12 + (local.month - month), 0) // 12
    else:
        return NOT_RECORDED
    return next((band for upper, band in _UPPER_YEARS if years <= upper), ADULT)
