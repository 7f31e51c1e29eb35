"""Staff-edited settings for consent, the intake and routing, validated with pydantic.

Files: ``consent.ja.yaml`` / ``consent.en.yaml`` (the consent screen, versioned),
``intake.yaml`` (the choices parents pick from) and ``routing.yaml`` (which office
takes a request, what makes it urgent, when the desk is open).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from content.base import N_, Locale
from content.models import TO_FILL, Identifier, LocalizedText, NonEmpty

# Telegram shows about this much of a button label on a phone before cutting it.
ButtonLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceOption(_Strict):
    id: Identifier
    label: LocalizedText


class IntakeFile(_Strict):
    """The lists a parent chooses from during the intake."""

    care_types: list[ChoiceOption] = Field(min_length=1)
    help_options: list[ChoiceOption] = Field(min_length=1)
    # The free "anything else" answer is bounded so that a ticket stays readable.
    note_max_chars: int = Field(default=1000, ge=100, le=3000)
    # Days after a ticket is closed before its personal details are deleted. None until the
    # ward decides: nothing is purged and the consent screen says the period is being set.
    closed_ticket_retention_days: int | None = Field(default=None, ge=1, le=3650)
    retention_reviewed: bool = False
    # The ward's related departments whose partners coordinators may share a request with,
    # when the family agreed to it (the consent's sharing choice must name each of them).
    departments: list[ChoiceOption] = Field(default_factory=list)
    staff_note: str | None = None

    @field_validator("care_types", "help_options", "departments")
    @classmethod
    def _unique_ids(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        ids = [o.id for o in options]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"option ids used twice: {', '.join(doubled)}")
        return options

    def care_label(self, option_id: str, locale: Locale) -> str | None:
        return _label(self.care_types, option_id, locale)

    def help_label(self, option_id: str, locale: Locale) -> str | None:
        return _label(self.help_options, option_id, locale)

    def department_label(self, department_id: str, locale: Locale) -> str | None:
        return _label(self.departments, department_id, locale)


def _label(options: list[ChoiceOption], option_id: str, locale: Locale) -> str | None:
    return next((o.label.get(locale) for o in options if o.id == option_id), None)


class RoutingRule(_Strict):
    """Requests asking for any of ``needs_any`` go to ``office``; the first matching rule wins."""

    needs_any: list[Identifier] = Field(min_length=1)
    office: Identifier


class PriorityRules(_Strict):
    # A discharge this close needs a coordinator before the child comes home.
    discharge_within_days: int = Field(default=14, ge=0, le=365)
    # A family at home with no support at all is the other case not to leave waiting.
    home_without_support: bool = True


class DeskHours(_Strict):
    """When the coordinators' desk answers. Weekdays only; public holidays and 12/29–1/3 off."""

    opens: str = "09:00"
    closes: str = "17:00"
    reviewed: bool = False
    staff_note: str | None = None

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"time {value!r} should look like 09:00")
        return value

    @model_validator(mode="after")
    def _order(self) -> DeskHours:
        if self.opening_time >= self.closing_time:
            raise ValueError("closes must be later than opens")
        return self

    @property
    def opening_time(self) -> time:
        return time.fromisoformat(self.opens)

    @property
    def closing_time(self) -> time:
        return time.fromisoformat(self.closes)


class RoutingFile(_Strict):
    rules: list[RoutingRule] = Field(default_factory=list)
    default_office: Identifier = "jido_katei"
    priority: PriorityRules = Field(default_factory=PriorityRules)
    desk_hours: DeskHours = Field(default_factory=DeskHours)


class ConsentChoice(_Strict):
    # Short text on the toggle button, and the full sentence shown on the screen.
    label: ButtonLabel
    text: NonEmpty


class ConsentText(_Strict):
    """The consent screen in one language. Bump ``version`` whenever the meaning changes."""

    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,20}$")]
    locale: Locale
    reviewed: bool = False
    staff_note: str | None = None
    title: NonEmpty
    purpose: NonEmpty
    who_sees: NonEmpty
    what_stored: NonEmpty
    # {days} is replaced with intake.yaml's closed_ticket_retention_days.
    retention: NonEmpty
    # Shown instead of ``retention`` while that number has not been set.
    retention_not_set: NonEmpty
    voluntary: NonEmpty
    your_rights: NonEmpty
    choice_intake: ConsentChoice
    choice_share: ConsentChoice
    choice_info: ConsentChoice
    # What someone filling in for a family confirms.
    proxy_confirm: ConsentChoice
    # After declining: what happens now (nothing kept but the refusal), and where to turn.
    declined: NonEmpty

    @field_validator("retention")
    @classmethod
    def _has_days(cls, value: str) -> str:
        if "{days}" not in value:
            raise ValueError("retention must contain {days} where the number of days goes")
        return value


# Problems found across the request files, as message ids (marked for the catalogs, so
# staff read them in their language) with their parameters.
VERSIONS_DIFFER = N_("version differs between the languages ({versions}); both consent files"
                     " must carry the same version")
LOCALE_WRONG = N_("locale must be {locale}")
CONSENT_NOT_REVIEWED = N_("the consent text is not reviewed yet — {note}")
RETENTION_NOT_SET = N_("the retention period for closed requests is still to be set by the ward")
UNKNOWN_NEED = N_("{need} is not a help option in intake.yaml")
HOURS_NOT_REVIEWED = N_("the desk hours are still to be confirmed by the ward")
UNKNOWN_OFFICE = N_("office {office} is not in offices.yaml")
DEPARTMENT_NOT_IN_CONSENT = N_("the sharing choice (choice_share) does not name the department"
                               " {department}; the family must be told every department their"
                               " details may go to")

# (severity, file, path inside the file, message id, parameters) — the loader turns paths
# into line numbers.
Finding = tuple[str, str, tuple[str | int, ...], str, dict[str, object]]


def check_requests(
    consent: dict[Locale, ConsentText],
    intake: IntakeFile | None,
    routing: RoutingFile | None,
    office_ids: set[str] | None,
) -> list[Finding]:
    """Cross-file checks that pydantic cannot do one file at a time."""
    found: list[Finding] = []
    versions = {locale: text.version for locale, text in consent.items()}
    if len(set(versions.values())) > 1:
        listed = ", ".join(f"{locale}: {version}" for locale, version in versions.items())
        found.append(("error", "consent.en.yaml", ("version",), VERSIONS_DIFFER,
                      {"versions": listed}))
    for locale, text in consent.items():
        name = f"consent.{locale}.yaml"
        if text.locale != locale:
            found.append(("error", name, ("locale",), LOCALE_WRONG, {"locale": locale}))
        if not text.reviewed or TO_FILL in str(text.model_dump()):
            note = text.staff_note or "-"
            found.append(("warning", name, ("version",), CONSENT_NOT_REVIEWED, {"note": note}))
    if intake is not None:
        if intake.closed_ticket_retention_days is None or not intake.retention_reviewed:
            found.append(("warning", "intake.yaml", ("closed_ticket_retention_days",),
                          RETENTION_NOT_SET, {}))
        for locale, text in consent.items():
            for department in intake.departments:
                label = department.label.get(locale)
                if label not in text.choice_share.text:
                    found.append(("error", f"consent.{locale}.yaml", ("choice_share", "text"),
                                  DEPARTMENT_NOT_IN_CONSENT, {"department": label}))
        if routing is not None:
            known = {o.id for o in intake.help_options}
            for i, rule in enumerate(routing.rules):
                for need in rule.needs_any:
                    if need not in known:
                        found.append(("error", "routing.yaml", ("rules", i, "needs_any"),
                                      UNKNOWN_NEED, {"need": need}))
    if routing is not None:
        if not routing.desk_hours.reviewed:
            found.append(("warning", "routing.yaml", ("desk_hours",), HOURS_NOT_REVIEWED, {}))
        if office_ids is not None:
            targets: list[tuple[tuple[str | int, ...], str]] = [
                (("default_office",), routing.default_office)
            ]
            targets += [(("rules", i, "office"), r.office) for i, r in enumerate(routing.rules)]
            for path, office in targets:
                if office not in office_ids:
                    found.append(("error", "routing.yaml", path, UNKNOWN_OFFICE,
                                  {"office": office}))
    return found
