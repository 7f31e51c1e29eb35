"""Only roster staff can use the staff tools; to others they look like nothing at all."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import tg
from tests.staff_desk import COORDINATOR_ID, PARENT_ID, open_desk, plain

STRANGER_ID = 9999
# The audit rows of attempts: leaves out the roster's additions from the environment at start.
ATTEMPTS = " WHERE action != 'roster.seed'"


async def test_a_parent_gets_the_unknown_command_reply_and_an_audit_row(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.parent.command("no_such_command")
        unknown = plain(desk.parent).replace("/no_such_command", "/faq_edit")
        unknown_buttons = desk.parent.last.replies[-1].buttons if desk.parent.last else ()

        before = (desk.root / "faq.ja.yaml").read_bytes()
        await desk.parent.command("faq_edit", "coord_what 秘密の回答")
        assert plain(desk.parent) == unknown
        assert desk.parent.last is not None
        assert desk.parent.last.replies[-1].buttons == unknown_buttons
        assert desk.parent.session.state == "idle"
        assert (desk.root / "faq.ja.yaml").read_bytes() == before

        audit = await desk.rows("SELECT actor, action, subject, detail FROM audit" + ATTEMPTS)
        assert audit == [
            {"actor": tg(PARENT_ID), "action": "denied", "subject": "/faq_edit", "detail": None}
        ]
        # No text of the attempt is kept anywhere.
        assert "秘密" not in str(audit)


async def test_every_staff_command_is_refused_to_others(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        stranger = desk.chat(STRANGER_ID, "en")
        coordinator = desk.chat(COORDINATOR_ID, "en")
        commands = ["staff", "faq_list", "faq_show", "faq_edit", "faq_alt", "faq_reviewed",
                    "faq_history", "faq_undo", "preview", "gaps", "reload"]
        for chat in (stranger, coordinator):
            for name in commands:
                await chat.command(name, "coord_what x")
                assert f"I don't know the command /{name}." in plain(chat), name
        audit = await desk.rows("SELECT actor, action FROM audit" + ATTEMPTS)
        assert len(audit) == 2 * len(commands)
        assert {row["action"] for row in audit} == {"denied"}
        assert {row["actor"] for row in audit} == {tg(STRANGER_ID), tg(COORDINATOR_ID)}
        assert await desk.rows("SELECT * FROM content_changes") == []


async def test_forged_staff_buttons_from_a_non_staff_user_are_refused(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        async with desk.services.db.transaction() as tx:
            await tx.unanswered.record(
                at=desk.services.engine.deps.clock.now(), locale="ja", text="ぴよぴよ会はどこ",
                mode="refuse", best_topic="kazoku_kyodai", confidence=0.1,
            )
        before = (desk.root / "faq.ja.yaml").read_bytes()
        await desk.parent.press("v1:no_such_prefix")
        stale = plain(desk.parent)
        stale_toast = desk.parent.last.toast if desk.parent.last else None

        for data in ("v1:stf:ga:1:kazoku_kyodai", "v1:stf:save", "v1:stf:gaps", "v1:stf:gn:1"):
            await desk.parent.press(data)
            assert plain(desk.parent) == stale
            assert desk.parent.last is not None and desk.parent.last.toast == stale_toast
        assert (desk.root / "faq.ja.yaml").read_bytes() == before
        audit = await desk.rows("SELECT actor, action, subject FROM audit" + ATTEMPTS)
        assert len(audit) == 4
        assert all(r["actor"] == tg(PARENT_ID) and r["action"] == "denied" for r in audit)
        # The made-up rest of the data is not written down.
        assert {r["subject"] for r in audit} == {"button:ga", "button:save", "button:gaps",
                                                 "button:gn"}


async def test_a_staff_member_taken_off_the_roster_loses_a_pending_edit(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_edit", "coord_what")
        async with desk.services.db.transaction() as tx:
            await tx.conn.execute("UPDATE roster SET active = 0 WHERE user_id = ?",
                                  (tg(desk.staff.user_id),))
        before = (desk.root / "faq.ja.yaml").read_bytes()
        await desk.staff.text("新しい回答")
        assert desk.staff.session.state == "idle"
        await desk.staff.press("v1:stf:save")
        assert (desk.root / "faq.ja.yaml").read_bytes() == before
        denied = await desk.rows("SELECT subject FROM audit WHERE action = 'denied'")
        assert [r["subject"] for r in denied] == ["text", "button:save"]
