"""/gaps: unanswered questions grouped by similarity, counted, and turned into phrasings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from content.gaps import group_questions
from content.records import UnansweredQuestion
from flows.callbacks import MAX_BYTES
from tests.staff_desk import Desk, open_desk, plain

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def question(number: int, text: str, topic: str | None = None) -> UnansweredQuestion:
    return UnansweredQuestion(
        id=number, at=AT - timedelta(minutes=number), locale="ja", text=text, mode="refuse",
        best_topic=topic, confidence=0.1,
    )


def test_similar_messages_are_grouped_and_counted() -> None:
    groups = group_questions(
        [
            question(1, "ぴよぴよ会のお茶会はいつですか", "kazoku_kyodai"),
            question(2, "駐輪場のシールがほしい"),
            question(3, "ピヨピヨ会のお茶会はいつ？", "kazoku_kyodai"),
            question(4, "ぴよぴよ会のお茶会っていつなの", "coord_what"),
            question(5, "when is the piyopiyo tea party"),
            question(6, "When is the Piyopiyo tea party?"),
            question(7, "ぴよぴよ会のお茶会はいつですか", "kazoku_kyodai"),
        ]
    )
    assert [g.count for g in groups] == [4, 2, 1]
    tea = groups[0]
    assert {q.id for q in tea.questions} == {1, 3, 4, 7}
    # The most common wording represents the group; the most common guess is its topic.
    assert tea.representative.text == "ぴよぴよ会のお茶会はいつですか"
    assert tea.best_topic == "kazoku_kyodai"
    assert tea.phrasings(5)[0] == "ぴよぴよ会のお茶会はいつですか"
    assert len(tea.phrasings(5)) == 3
    assert {q.id for q in groups[1].questions} == {5, 6}
    assert groups[1].best_topic is None


async def _log(desk: Desk, *texts: tuple[str, str | None], days_ago: float = 1) -> None:
    now = desk.services.engine.deps.clock.now()
    async with desk.services.db.transaction() as tx:
        for text, topic in texts:
            await tx.unanswered.record(
                at=now - timedelta(days=days_ago), locale="ja", text=text, mode="refuse",
                best_topic=topic, confidence=0.1,
            )


async def test_gaps_shows_themes_and_one_tap_adds_a_phrasing(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await _log(
            desk,
            ("ぴよぴよ会のお茶会はいつですか", "kazoku_kyodai"),
            ("ぴよぴよ会のお茶会はいつ？", "kazoku_kyodai"),
            ("ぴよぴよ会のお茶会はいつですか", None),
            ("駐輪場のシールがほしい", None),
        )
        await _log(desk, ("先月の古い質問です", None), days_ago=45)
        await desk.staff.command("gaps")
        shown = plain(desk.staff)
        assert "4 messages in 2 themes" in shown
        assert "3× 「ぴよぴよ会のお茶会はいつですか」" in shown
        assert "1× 「駐輪場のシールがほしい」" in shown
        assert "先月の古い質問です" not in shown
        assert desk.staff.last is not None
        buttons = [b for r in desk.staff.last.replies for row in r.buttons for b in row]
        assert all(len(b.data.encode()) <= MAX_BYTES for b in buttons)
        # Buttons name rows by id, never by what a parent wrote.
        assert all("ぴよ" not in b.data for b in buttons)

        question_text = desk.entry("ja", "kazoku_kyodai")["question"]
        assert question_text not in await desk.ask("ぴよぴよ会のお茶会はいつですか")
        await desk.staff.press_label("1 ➕ kazoku_kyodai")
        assert "Added to kazoku_kyodai" in plain(desk.staff)
        assert "ぴよぴよ会のお茶会はいつですか" in desk.entry("ja", "kazoku_kyodai")["alternates"]
        assert question_text in await desk.ask("ぴよぴよ会のお茶会はいつですか")
        changes = await desk.rows("SELECT entry_id, field FROM content_changes")
        assert changes == [{"entry_id": "kazoku_kyodai", "field": "alternates"}]


async def test_choosing_another_topic_and_drafting_a_new_entry(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await _log(desk, ("駐輪場のシールがほしい", None), ("駐輪場のシールが欲しい", None))
        await desk.staff.command("gaps")
        await desk.staff.press_label("1 📂")
        assert "Choose the category" in plain(desk.staff)
        category = desk.entry("ja", "ido_shien")["category"]
        assert desk.staff.last is not None
        data = next(
            b.data for r in desk.staff.last.replies for row in r.buttons for b in row
            if b.data.endswith(":" + category)
        )
        await desk.staff.press(data)
        await desk.staff.press_label(desk.entry("en", "ido_shien")["title"])
        assert any("駐輪場のシール" in a for a in desk.entry("ja", "ido_shien")["alternates"])

        await desk.staff.command("gaps")
        await desk.staff.press_label("1 📝")
        draft = plain(desk.staff)
        assert "id: new_topic" in draft and "駐輪場のシール" in draft and "faq.ja.yaml" in draft


async def test_a_button_for_a_question_no_longer_logged(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.press("v1:stf:ga:999:kazoku_kyodai")
        assert "no longer in the log" in plain(desk.staff)
        await desk.staff.press("v1:stf:ga:1:no_such_topic")
        assert await desk.rows("SELECT * FROM content_changes") == []


async def test_no_gaps(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        await desk.staff.command("gaps")
        assert "No unanswered questions" in plain(desk.staff)


async def test_emergencies_never_become_gaps(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        # Asked by a parent: the emergency guidance, and nothing logged for staff.
        await desk.ask("赤ちゃんが息をしていない")
        assert await desk.rows("SELECT * FROM unanswered") == []
        # Logged before the FAQ stopped logging them: left out of the list all the same.
        await _log(
            desk, ("My baby is not breathing", None), ("ぴよぴよ会のお茶会はいつですか", None)
        )
        await desk.staff.command("gaps")
        shown = plain(desk.staff)
        assert "1 messages in 1 themes" in shown or "1 message" in shown
        assert "breathing" not in shown
