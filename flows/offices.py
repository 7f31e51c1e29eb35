"""The consultation offices and their coordinators: who does what, how to reach them."""

from __future__ import annotations

from content.base import N_
from content.models import TO_FILL, Office
from flows import callbacks
from flows.menu import MENU_BUTTON
from flows.model import Button
from flows.router import Router
from flows.text import BLANK, BULLET, Html, esc, join_lines, markup
from flows.turn import ButtonRow, Turn

# Public main number of the Chiyoda City Office (shared/content/facts.md); used while an
# office's own number has not been filled in by staff.
CITY_OFFICE_PHONE = "03-3264-2111"
# Button data: v1:off (all offices), v1:off:which, v1:off:<office id>.
OFFICES_BUTTON = "off"
WHICH_OFFICE = "which"


def _known(value: str | None) -> bool:
    return bool(value) and TO_FILL not in (value or "")


def coordinator_row(turn: Turn) -> ButtonRow:
    """The way in to the offices, on the menu and under FAQ answers."""
    return (
        Button(label=turn._("🏢 Offices and coordinators"), data=callbacks.encode(OFFICES_BUTTON),
               role="navigate"),
    )


class OfficesFlow:
    async def handle(self, turn: Turn, parts: tuple[str, ...]) -> None:
        parts = tuple(p for p in parts if p)  # "/offices" passes its (empty) argument text
        if parts and parts[0] == WHICH_OFFICE:
            self.which(turn)
        elif parts:
            self.detail(turn, parts[0])
        else:
            self.overview(turn)

    def _office_buttons(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        return tuple(
            (Button(label=o.name.get(turn.locale), data=callbacks.encode(OFFICES_BUTTON, o.id),
                    role="choice"),)
            for o in turn.content.offices.offices
        )

    def overview(self, turn: Turn) -> None:
        _ = turn._
        offices = turn.content.offices
        lines = [
            _("<b>Coordinators for children who need medical care</b>"),
            _(
                "Chiyoda City places coordinators (医療的ケア児等コーディネーター) at more than one"
                " office, so that families have one place to ask. What they all do:"
            ),
        ]
        lines += [BULLET.format(role.get(turn.locale)) for role in offices.shared_roles]
        lines += [BLANK, _("Choose an office to see what it does and how to reach it.")]
        rows = self._office_buttons(turn)
        which = Button(label=_("Which office should I ask?"),
                       data=callbacks.encode(OFFICES_BUTTON, WHICH_OFFICE), role="navigate")
        menu = Button(label=_("🏠 Menu"), data=callbacks.encode(MENU_BUTTON), role="navigate")
        turn.say(join_lines(lines), (*rows, (which,), (menu,)))

    def detail(self, turn: Turn, office_id: str) -> None:
        office = next((o for o in turn.content.offices.offices if o.id == office_id), None)
        if office is None:
            self.overview(turn)
            return
        turn.say(self.describe(turn, office), self._back(turn))

    def describe(self, turn: Turn, office: Office) -> Html:
        _ = turn._
        loc = turn.locale
        lines = [markup("<b>{}</b>").format(office.name.get(loc))]
        if office.roles_own:
            lines.append(_("What this office does:"))
            lines += [BULLET.format(r.get(loc)) for r in office.roles_own]
        if office.ask_about:
            lines.append(_("Ask here about:"))
            lines += [BULLET.format(a.get(loc)) for a in office.ask_about]
        lines.append(BLANK)
        if _known(office.phone):
            lines.append(_("Phone: {phone}").format(phone=esc(office.phone or "")))
        if office.hours and _known(office.hours.get(loc)):
            lines.append(_("Hours: {hours}").format(hours=esc(office.hours.get(loc))))
        if office.address and _known(office.address.get(loc)):
            lines.append(_("Address: {address}").format(address=esc(office.address.get(loc))))
        if office.url:
            lines.append(esc(office.url))
        if not _known(office.phone) or office.hours is None or not _known(office.hours.get(loc)):
            lines.append(
                _(
                    "This office's direct phone number and hours are not published here yet."
                    " Please call the Chiyoda City Office ({phone}) and ask for the coordinator"
                    " for children who need medical care."
                ).format(phone=CITY_OFFICE_PHONE)
            )
        return join_lines(lines)

    def which(self, turn: Turn) -> None:
        _ = turn._
        loc = turn.locale
        lines = [_("<b>Which office should I ask?</b>")]
        for office in turn.content.offices.offices:
            if not office.ask_about:
                continue
            topics = _("; ").join(a.get(loc) for a in office.ask_about)
            lines.append(markup("• <b>{}</b>: {}").format(office.name.get(loc), topics))
        lines += [
            BLANK,
            _("Not sure? Ask any of them: the coordinators work together and will pass your"
              " question on."),
        ]
        turn.say(join_lines(lines), self._back(turn))

    def _back(self, turn: Turn) -> tuple[tuple[Button, ...], ...]:
        return (
            (
                Button(label=turn._("🏢 All offices"), data=callbacks.encode(OFFICES_BUTTON),
                       role="navigate"),
                Button(label=turn._("🏠 Menu"), data=callbacks.encode(MENU_BUTTON),
                       role="navigate"),
            ),
        )


def register(router: Router) -> OfficesFlow:
    flow = OfficesFlow()
    router.button(OFFICES_BUTTON, flow.handle)
    router.command("offices", flow.handle, N_("Offices and how to reach a coordinator"))
    router.menu_entry(lambda turn: coordinator_row(turn))
    return flow
