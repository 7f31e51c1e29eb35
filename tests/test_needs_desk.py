"""Needs and problems recorded on a request, as transcripts of the coordinators' desk: the
codes from needs.yaml, the statuses and their history, who may keep them, and that the
internal note stays with the coordinators (never the family, the group or the audit log)."""

from __future__ import annotations

from pathlib import Path

from content.loader import DEFAULT_CONTENT_DIR, load_content
from flows.desk.needs import parse_status
from tests.content_dirs import copy_shipped
from tests.desk_world import GROUP, PARENT, STRANGER, SUPERVISOR, A, B, Sent, World, announced
from tests.fakes import tg

NOTE = "No short stay free at the centre until March"


async def claimed_by_a(world: World) -> Sent:
    notice = await announced(world)
    await world.private(A).command("start")
    await world.group(A).press(notice.button("v1:dk:c"), notice)
    await world.deliver()
    return notice


async def test_a_need_is_recorded_with_its_note_for_the_coordinators_only(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("need", f"K-0001 short_stay {NOTE}")
    assert "Recorded on K-0001: “No short-stay place free” (open)" in a.said
    assert "the family never sees it" in a.said
    await a.command("needs", "K-0001")
    lines = a.said.splitlines()
    assert lines[0] == "Needs and problems on K-0001"
    assert lines[1] == "1. No short-stay place free — open"
    assert "open (Aoki)" in lines[2]
    assert NOTE in a.said
    # Nothing of it reaches the family or the group.
    sent = await world.deliver()
    assert world.to(PARENT, sent) == [] and world.to(GROUP, sent) == []
    audit = await world.rows("SELECT actor, action, subject, detail FROM audit"
                             " WHERE action LIKE 'need.%' ORDER BY id")
    assert audit == [
        {"actor": tg(A), "action": "need.add", "subject": "K-0001", "detail": "short_stay"},
        {"actor": tg(A), "action": "need.read", "subject": "K-0001", "detail": None},
    ]
    every_audit = await world.rows("SELECT * FROM audit")
    assert not any(NOTE in str(row) for row in every_audit)
    needs = await world.rows("SELECT code, status, recorded_by FROM ticket_needs")
    assert needs == [{"code": "short_stay", "status": "open", "recorded_by": tg(A)}]


async def test_an_unknown_code_is_refused_with_the_list(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("need", "K-0001 shortstay there is no place")
    assert "“shortstay” is not on the list of needs and problems" in a.said
    assert "short_stay — No short-stay place free" in a.said
    assert "night_nursing — No night visiting nursing" in a.said
    assert await world.rows("SELECT * FROM ticket_needs") == []
    # Typed codes are forgiving about case and full-width letters.
    await a.command("need", "K-0001 ＳＨＯＲＴ_ＳＴＡＹ")
    assert "Recorded on K-0001" in a.said


async def test_without_a_code_the_kinds_come_as_buttons(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("need", "K-0001")
    assert "Which need or problem did you find on K-0001?" in a.said
    await a.press_label("Power in a disaster")
    assert a.toast is not None and "Recorded on K-0001: “Power in a disaster”" in a.toast
    [listing] = a.last.replies if a.last else []
    assert "1. Power in a disaster — open" in a.said and listing.edit_message_id is None
    # The same kind is not offered (nor recorded) twice.
    await a.command("need", "K-0001")
    labels = [b.label for reply in a.last.replies for row in reply.buttons for b in row] \
        if a.last else []
    assert "Power in a disaster" not in labels and "Transport" in labels
    await a.command("need", "K-0001 disaster_power")
    assert "“Power in a disaster” is already recorded on K-0001 (open)" in a.said


async def test_statuses_change_by_command_and_button_and_keep_their_history(
    world: World,
) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("need", "K-0001 night_nursing")
    world.clock.advance(hours=2)
    await a.command("needstatus", "K-0001 night_nursing progress")
    assert "“No night visiting nursing” on K-0001 is now in progress." in a.said
    await a.command("needstatus", "K-0001 night_nursing progress")
    assert "is already in progress" in a.said
    await a.command("needstatus", "K-0001 night_nursing finished")
    assert "The status is one of: open, progress, resolved, council" in a.said
    await a.command("needstatus", "K-0001 transport resolved")
    assert "“transport” is not recorded on K-0001" in a.said

    world.clock.advance(hours=1)
    await a.command("needs", "K-0001")
    await a.press_label("1. beyond the ward")
    assert a.toast == "“No night visiting nursing” on K-0001 is now beyond the ward (for the" \
        " council)."
    assert "1. No night visiting nursing — beyond the ward (for the council)" in a.said
    changes = await world.rows("SELECT at, status, actor FROM ticket_need_changes ORDER BY id")
    assert [(c["status"], c["actor"]) for c in changes] == [
        ("open", tg(A)), ("in_progress", tg(A)), ("beyond_ward", tg(A))]
    assert changes[0]["at"] < changes[1]["at"] < changes[2]["at"]
    [need] = await world.rows("SELECT status FROM ticket_needs")
    assert need == {"status": "beyond_ward"}
    statuses = await world.rows("SELECT detail FROM audit WHERE action = 'need.status'")
    assert statuses == [{"detail": "night_nursing in_progress"},
                        {"detail": "night_nursing beyond_ward"}]


async def test_only_the_holder_and_supervisors_keep_needs_and_only_in_private(
    world: World,
) -> None:
    await claimed_by_a(world)
    await world.private(A).command("need", f"K-0001 respite {NOTE}")
    b = world.private(B)
    await b.command("need", "K-0001 transport")
    assert "Only Aoki, who holds K-0001, or a supervisor can do that." in b.said
    await b.command("needs", "K-0001")
    assert NOTE not in b.said and "Only Aoki" in b.said
    in_group = world.group(A)
    await in_group.command("needs", "K-0001")
    assert "works only in a private chat" in in_group.said
    stranger = world.private(STRANGER)
    await stranger.command("needs", "K-0001")
    assert "only for the desk's coordinators" in stranger.said
    denied = await world.rows("SELECT actor FROM audit WHERE action = 'denied' AND"
                              " detail = 'needs'")
    assert denied == [{"actor": tg(B)}, {"actor": tg(B)}]

    # A supervisor follows the needs up without reading the holder's note.
    supervisor = world.private(SUPERVISOR)
    await supervisor.command("needs", "K-0001")
    assert "1. Respite — open" in supervisor.said and NOTE not in supervisor.said
    await supervisor.press_label("1. solved")
    assert a_status(await world.rows("SELECT status FROM ticket_needs")) == ["resolved"]
    # A forged button for a need that does not exist does nothing.
    await supervisor.press("v1:nd:s:99:resolved")
    assert supervisor.toast == "This button no longer works."


def a_status(rows: list[dict[str, object]]) -> list[object]:
    return [row["status"] for row in rows]


async def test_withdrawal_deletes_the_note_and_keeps_the_anonymous_count(world: World) -> None:
    await claimed_by_a(world)
    a = world.private(A)
    await a.command("need", f"K-0001 school_nurse {NOTE}")
    assert await world.rows("SELECT text FROM ticket_need_notes") == [{"text": NOTE}]
    parent = world.parent
    await parent.command("withdraw")
    await parent.press_label("Yes, withdraw and delete")
    await world.deliver()
    assert await world.rows("SELECT * FROM ticket_need_notes") == []
    assert await world.rows("SELECT code, status FROM ticket_needs") == [
        {"code": "school_nurse", "status": "open"}]
    await a.command("need", "K-0001 transport")
    assert "withdrawn by the family" in a.said
    # What the ward follows up on can still be marked solved.
    await a.command("needstatus", "K-0001 school_nurse resolved")
    assert "is now solved" in a.said
    await a.command("needs", "K-0001")
    assert NOTE not in a.said


def test_typed_statuses() -> None:
    assert parse_status("Progress") == "in_progress"
    assert parse_status("council") == "beyond_ward"
    assert parse_status("ｒｅｓｏｌｖｅｄ") == "resolved"
    assert parse_status("done") is None


# --- the list staff keep (needs.yaml) ---------------------------------------------------


def test_the_shipped_list_loads_with_both_languages() -> None:
    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None and content.needs is not None
    codes = [n.id for n in content.needs.needs]
    for code in ("short_stay", "nursery", "night_nursing", "disaster_power", "transport",
                 "school_nurse", "respite", "siblings", "housing"):
        assert code in codes
    for kind in content.needs.needs:
        assert kind.label.ja != kind.label.en and kind.description.ja and kind.description.en


def test_the_check_reports_a_bad_needs_file_with_its_line(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    path = root / "needs.yaml"
    text = path.read_text("utf-8")
    first = text.index("  - id: nursery")
    path.write_text(text.replace("  - id: nursery", "  - id: short_stay", 1))
    line = text[:first].count("\n") + 1
    result = load_content(root)
    assert result.content is None
    assert [str(p) for p in result.errors] == [f"needs.yaml:{line}: error: id 'short_stay' is"
                                               " used twice"]

    path.write_text(text.replace("    description:\n      ja: 医療的ケアに対応する", "    note:\n"
                                 "      ja: 医療的ケアに対応する", 1))
    errors = [str(p) for p in load_content(root).errors]
    assert len(errors) == 2 and all(e.startswith("needs.yaml:") for e in errors)
    assert any("note: unknown field" in e for e in errors)

    path.unlink()
    result = load_content(root)
    assert result.content is not None and result.content.needs is None
    assert "needs.yaml:1: warning: file is missing: coordinators cannot record needs and" \
        " problems" in [str(p) for p in result.warnings]
