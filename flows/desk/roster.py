"""/roster: ward staff keep the list of coordinators and staff in the chat.

    /roster                                  who is on it
    /roster add 123456 jido_katei supervisor a member (coordinator unless roles are named)
    /roster add 123456 partner hokenjo       a partner in a related department
    /roster name 123456 山田 花子             the name the group shows
    /roster remove 123456                    off the roster

An id is a Telegram user id as a bare number, or a whole address such as ``line:U4af4980…``.

Staff only (see flows/staff/access.py); every change is audited. TSUNAGU_COORDINATORS and
TSUNAGU_STAFF only add, at start, people the roster never had; what staff change here stays,
a removal included (storage/repos/roster.py ``seed``).
"""

from __future__ import annotations

from flows.address import Address, BadAddress, typed_address, typed_form
from flows.desk.sharing import department_name
from flows.desk.views import office_label
from flows.ports import RosterStore
from flows.records import RosterMember
from flows.text import BLANK, Html, esc, join_lines, markup
from flows.turn import Turn

ROLES = ("coordinator", "staff", "supervisor", "partner")


def _line(turn: Turn, member: RosterMember) -> Html:
    roles = [role for role in ROLES if getattr(member, role)]
    office = office_label(member.office, turn.content, turn.locale) if member.office else "-"
    if member.partner and member.department:
        office = department_name(turn.content, member.department, turn.locale)
    chat = " 💬" if member.private_chat else ""
    return markup("• <code>{}</code> {} · {} · {}{}").format(
        typed_form(member.user_id), member.display_name or "-", office, ", ".join(roles) or "-",
        chat)


async def show(turn: Turn[RosterStore], member: RosterMember, args: tuple[str, ...]) -> None:
    words = args[0].split() if args and args[0].strip() else []
    if not words:
        await _list(turn)
    elif words[0] in ("add", "name", "remove") and len(words) >= 2:
        try:
            who = typed_address(words[1])
        except BadAddress:
            turn.say(join_lines([
                turn._("“{text}” is not an id. Type a Telegram user id as a number (123456789)"
                       " or a LINE user as line:U… .").format(text=words[1][:40]),
                BLANK, _usage(turn)]))
            return
        if words[0] == "add":
            await _add(turn, member, who, words[2:])
        elif words[0] == "name" and len(words) >= 3:
            await _rename(turn, member, who, " ".join(words[2:]))
        elif words[0] == "remove" and len(words) == 2:
            await _remove(turn, member, who)
        else:
            turn.say(_usage(turn))
    else:
        turn.say(_usage(turn))


def _usage(turn: Turn) -> Html:
    return join_lines([
        turn._("/roster — who is on the roster"),
        turn._("/roster add ID [office] [coordinator] [staff] [supervisor] — add or change"
               " someone"),
        turn._("/roster add ID partner DEPARTMENT — a partner in a related department, who"
               " receives what coordinators share with it"),
        turn._("/roster name ID NAME — the name the coordinators' group shows"),
        turn._("/roster remove ID — take someone off the roster"),
    ])


async def _list(turn: Turn[RosterStore]) -> None:
    members = await turn.store.roster.members()
    lines = [turn._("<b>Roster</b> (💬: has a private chat with me)")]
    lines += [_line(turn, m) for m in members] or [turn._("(none)")]
    turn.say(join_lines([*lines, BLANK, _usage(turn)]))


async def _add(
    turn: Turn[RosterStore], actor: RosterMember, user_id: Address, words: list[str]
) -> None:
    offices = {o.id for o in turn.content.offices.offices}
    intake = turn.content.intake
    departments = {d.id for d in intake.departments} if intake else set()
    office = next((w for w in words if w in offices), None)
    department = next((w for w in words if w in departments), None)
    unknown = [w for w in words if w not in offices | departments and w not in ROLES]
    if unknown:
        turn.say(turn._("Not an office, department or role: {words}. Offices: {offices}."
                        " Departments: {departments}").format(
            words=esc(" ".join(unknown)), offices=", ".join(sorted(offices)),
            departments=", ".join(sorted(departments)) or "-"))
        return
    roles = {w for w in words if w in ROLES} or {"coordinator"}
    current = await turn.store.roster.get(user_id) or RosterMember(user_id=user_id)
    department = department or current.department
    if "partner" in roles and department is None:
        turn.say(turn._("A partner needs a department: /roster add {id} partner DEPARTMENT."
                        " Departments: {departments}").format(
            id=typed_form(user_id), departments=", ".join(sorted(departments)) or "-"))
        return
    member = current.model_copy(update={
        "office": office or current.office,
        "coordinator": "coordinator" in roles,
        "staff": "staff" in roles,
        "supervisor": "supervisor" in roles,
        "partner": "partner" in roles,
        "department": department if "partner" in roles else None,
    })
    await _save(turn, actor, member, "roster.put")


async def _rename(turn: Turn[RosterStore], actor: RosterMember, user_id: Address, name: str
                  ) -> None:
    current = await turn.store.roster.get(user_id)
    if current is None:
        turn.say(turn._("{id} is not on the roster.").format(id=typed_form(user_id)))
        return
    await _save(turn, actor, current.model_copy(update={"display_name": name[:60]}),
                "roster.name")


async def _save(
    turn: Turn[RosterStore], actor: RosterMember, member: RosterMember, action: str
) -> None:
    now = turn.deps.clock.now()
    await turn.store.roster.put(member, now)
    await turn.store.audit.write(at=now, actor=str(actor.user_id), action=action,
                                 subject=str(member.user_id))
    saved = await turn.store.roster.get(member.user_id) or member
    turn.say(turn._("Saved:") + "\n" + _line(turn, saved))


async def _remove(turn: Turn[RosterStore], actor: RosterMember, user_id: Address) -> None:
    now = turn.deps.clock.now()
    if user_id == actor.user_id:
        turn.say(turn._("You cannot take yourself off the roster; ask another staff member."))
        return
    if not await turn.store.roster.deactivate(user_id, now):
        turn.say(turn._("{id} is not on the roster.").format(id=typed_form(user_id)))
        return
    await turn.store.audit.write(at=now, actor=str(actor.user_id), action="roster.remove",
                                 subject=str(user_id))
    turn.say(turn._("{id} is off the roster. Tickets they hold stay theirs until released or"
                    " reassigned.").format(id=typed_form(user_id)))
