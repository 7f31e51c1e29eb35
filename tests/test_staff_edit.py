"""Staff edit the FAQ from the chat: the next parent gets the new answer, a new phrasing
matches, undo restores the old text, and an invalid change never replaces valid content.

Runs on a copy of the shipped content with the real ContentStore, matcher and SQLite.
"""

from __future__ import annotations

import json
from pathlib import Path

from content.loader import load_content
from flows.engine import build_flows
from tests.fakes import tg
from tests.staff_desk import STAFF_ID, open_desk, plain

NEW_ANSWER = "コーディネーターは、医療的ケアが必要なお子さんの家族の相談窓口です（新しい回答）。"
PHRASING = "ぴよぴよ会のお茶会はいつですか"


async def test_a_staff_edit_changes_the_next_answer(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        old_answer = desk.entry("ja", "coord_what")["answer"]
        assert old_answer.splitlines()[0][:20] in await desk.ask("コーディネーターって何？")

        await desk.staff.command("faq_edit", "coord_what ja")
        assert "Send the new answer" in plain(desk.staff)
        await desk.staff.text(NEW_ANSWER)
        # The preview shows what parents will read, and nothing is written yet.
        assert NEW_ANSWER in plain(desk.staff)
        assert desk.entry("ja", "coord_what")["answer"] == old_answer
        await desk.staff.press_label("Save")
        assert "Saved" in plain(desk.staff)

        reply = await desk.ask("コーディネーターって何？")
        assert NEW_ANSWER in reply and old_answer[:20] not in reply
        assert desk.entry("ja", "coord_what")["answer"] == NEW_ANSWER
        # The English file is untouched, and the content still passes the check.
        assert desk.entry("en", "coord_what")["answer"].startswith("A medical care coordinator")
        assert load_content(desk.root).errors == []

        rows = await desk.rows("SELECT * FROM content_changes")
        assert len(rows) == 1
        row = rows[0]
        assert (row["actor"], row["entry_id"], row["locale"], row["field"]) == (
            tg(STAFF_ID), "coord_what", "ja", "answer"
        )
        assert json.loads(row["old_value"]) == {"answer": old_answer}
        assert json.loads(row["new_value"]) == {"answer": NEW_ANSWER}
        assert row["reverted_of"] is None


async def test_cancel_leaves_the_answer_as_it_was(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        before = (desk.root / "faq.ja.yaml").read_bytes()
        await desk.staff.command("faq_edit", "coord_what")
        await desk.staff.text("書きかけの回答")
        await desk.staff.press_label("Cancel")
        assert "not changed" in plain(desk.staff)
        assert (desk.root / "faq.ja.yaml").read_bytes() == before
        assert await desk.rows("SELECT * FROM content_changes") == []
        # Pressing Save of the old preview afterwards does nothing.
        await desk.staff.press("v1:stf:save")
        assert (desk.root / "faq.ja.yaml").read_bytes() == before


async def test_an_added_phrasing_now_matches(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        topic_question = desk.entry("ja", "kazoku_kyodai")["question"]
        assert topic_question not in await desk.ask(PHRASING)

        await desk.staff.command("faq_alt", f"kazoku_kyodai {PHRASING}")
        assert "now get the answer of kazoku_kyodai" in plain(desk.staff)
        assert PHRASING in desk.entry("ja", "kazoku_kyodai")["alternates"]
        assert PHRASING not in desk.entry("en", "kazoku_kyodai").get("alternates", [])

        assert topic_question in await desk.ask(PHRASING)

        # The same phrasing twice is refused politely.
        await desk.staff.command("faq_alt", f"kazoku_kyodai {PHRASING}")
        assert "already has that phrasing" in plain(desk.staff)


async def test_an_english_phrasing_goes_to_the_english_file(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_alt", "kazoku_kyodai when is the piyopiyo tea party")
        assert "when is the piyopiyo tea party" in desk.entry("en", "kazoku_kyodai")["alternates"]
        assert "when is the piyopiyo tea party" not in desk.entry("ja", "kazoku_kyodai").get(
            "alternates", []
        )


async def test_undo_restores_the_old_text(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        old_answer = desk.entry("ja", "coord_what")["answer"]
        await desk.staff.command("faq_edit", "coord_what ja")
        await desk.staff.text(NEW_ANSWER)
        await desk.staff.press_label("Save")
        assert NEW_ANSWER in await desk.ask("コーディネーターって何？")

        await desk.staff.command("faq_undo", "coord_what")
        assert "taken back" in plain(desk.staff)
        assert desk.entry("ja", "coord_what")["answer"] == old_answer
        reply = await desk.ask("コーディネーターって何？")
        assert NEW_ANSWER not in reply and old_answer.splitlines()[0][:20] in reply

        rows = await desk.rows("SELECT id, reverted_of, field FROM content_changes ORDER BY id")
        assert [(r["id"], r["reverted_of"]) for r in rows] == [(1, None), (2, 1)]
        # Nothing left to undo: the undo itself is not undone by a second /faq_undo.
        await desk.staff.command("faq_undo", "coord_what")
        assert "no change of coord_what to take back" in plain(desk.staff)

        await desk.staff.command("faq_history", "coord_what")
        history = plain(desk.staff)
        assert "#2" in history and "undid #1" in history and "undone" in history
        assert "区職員A" in history


async def test_undo_walks_back_one_change_at_a_time(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_alt", "kazoku_kyodai ぴよぴよ会はどこ")
        await desk.staff.command("faq_alt", "kazoku_kyodai ぴよぴよ会のお茶会")
        await desk.staff.command("faq_undo", "kazoku_kyodai")
        alternates = desk.entry("ja", "kazoku_kyodai")["alternates"]
        assert "ぴよぴよ会はどこ" in alternates and "ぴよぴよ会のお茶会" not in alternates
        await desk.staff.command("faq_undo", "kazoku_kyodai")
        alternates = desk.entry("ja", "kazoku_kyodai")["alternates"]
        assert "ぴよぴよ会はどこ" not in alternates


async def test_marking_reviewed_sets_the_dates(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        assert desk.entry("ja", "coord_contact")["reviewed"] is False
        await desk.staff.command("faq_reviewed", "coord_contact ja")
        entry = desk.entry("ja", "coord_contact")
        assert entry["reviewed"] is True and entry["last_reviewed"] is not None
        assert "English version is not reviewed yet" in plain(desk.staff)
        assert desk.entry("en", "coord_contact")["reviewed"] is False
        await desk.staff.command("faq_undo", "coord_contact")
        assert desk.entry("ja", "coord_contact")["reviewed"] is False
        assert "last_reviewed" not in desk.entry("ja", "coord_contact")


async def test_an_invalid_change_never_replaces_valid_content(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        ja_before = (desk.root / "faq.ja.yaml").read_bytes()
        # Someone is half-way through editing the English file in a text editor.
        (desk.root / "faq.en.yaml").write_text("locale: en\nentries: [\n", "utf-8")

        await desk.staff.command("faq_alt", f"kazoku_kyodai {PHRASING}")
        assert "Not saved" in plain(desk.staff)
        assert "faq.en.yaml" in plain(desk.staff)
        assert (desk.root / "faq.ja.yaml").read_bytes() == ja_before
        assert await desk.rows("SELECT * FROM content_changes") == []
        # The bot still answers from the last good content.
        question = desk.entry("ja", "coord_what")["question"]
        assert question in await desk.ask("コーディネーターって何？")


async def test_a_too_long_answer_is_refused_before_the_preview(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_edit", "coord_what")
        await desk.staff.text("あ" * 3001)
        assert "up to 3000" in plain(desk.staff)
        assert desk.staff.last is not None and not any(
            r.buttons for r in desk.staff.last.replies
        )


async def test_an_edit_made_meanwhile_in_the_file_is_not_overwritten(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_edit", "coord_what ja")
        await desk.staff.text(NEW_ANSWER)
        # Meanwhile a colleague changes the same answer in the file.
        path = desk.root / "faq.ja.yaml"
        old_answer = desk.entry("ja", "coord_what")["answer"]
        first_line = old_answer.splitlines()[0]
        path.write_text(path.read_text("utf-8").replace(first_line, "同僚が直した回答。"), "utf-8")

        await desk.staff.press_label("Save")
        assert "changed in the files since you looked" in plain(desk.staff)
        assert "同僚が直した回答。" in desk.entry("ja", "coord_what")["answer"]
        assert await desk.rows("SELECT * FROM content_changes") == []


async def test_an_answer_about_breathing_is_not_taken_for_an_emergency(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("faq_edit", "coord_what")
        await desk.staff.text("子どもが息をしていないときは、すぐに119番に電話してください。")
        assert "Preview" in plain(desk.staff)
        assert "#7119" not in plain(desk.staff).split("Preview")[0]


async def test_preview_shows_the_answer_without_logging_it(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("preview", "コーディネーターって何？")
        assert "coord_what" in plain(desk.staff)
        await desk.staff.command("preview", PHRASING)
        assert "/faq_alt ID" in plain(desk.staff)
        assert await desk.rows("SELECT * FROM unanswered") == []


async def test_list_show_and_reload(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("staff")
        assert "/faq_edit" in plain(desk.staff)
        await desk.staff.command("faq_list")
        assert "coord_what" in plain(desk.staff) and "⚠" in plain(desk.staff)
        await desk.staff.command("faq_show", "coord_what ja")
        assert "コーディネーターって何？" in plain(desk.staff)
        await desk.staff.command("faq_show", "no_such_entry")
        assert "There is no entry with the id no_such_entry" in plain(desk.staff)

        path = desk.root / "faq.ja.yaml"
        text = path.read_text("utf-8")
        old_question = "医療的ケア児等コーディネーターとは何ですか？"
        path.write_text(text.replace(old_question, "コーディネーターとは？（直接編集）"), "utf-8")
        await desk.staff.command("reload")
        assert "read again" in plain(desk.staff)
        assert "（直接編集）" in await desk.ask("コーディネーターって何？")


def test_staff_commands_are_not_in_the_public_command_list() -> None:
    router, _menu = build_flows()
    public = {name for name, _description in router.public_commands}
    for name in ("staff", "faq_edit", "faq_alt", "gaps", "preview", "reload", "faq_undo"):
        assert name in router.commands
        assert name not in public
