"""Families on LINE through the real ``tsunagu run``: signed webhook calls in, the fake LINE
API on 127.0.0.1 recording the answers (and the fake Bot API for the coordinators' group).

Select with ``pytest -m e2e``.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot_process import clean_env, tsunagu_command
from tests.fake_bot_api import FakeBotAPI
from tests.fake_line_api import (
    FakeLineAPI,
    follow_event,
    postback_event,
    sticker_event,
    text_event,
)
from tests.line_desk import LineDesk, intake_steps, seen, wait_until
from tests.running_desk import needs_content

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FAMILY = "U" + "1" * 32
OTHER = "U" + "2" * 32
GROUP = -1001234567890
COORDINATOR = 700_101
PERSONAL = ("千代田花子", "090-1234-5678", "吸引", "4歳")






@pytest.fixture
async def line_desk(live_line_api: FakeLineAPI, tmp_path: Path) -> AsyncIterator[LineDesk]:
    desk = LineDesk.alone(live_line_api, tmp_path)
    await desk.start()
    yield desk
    desk.kill()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@needs_content
async def test_a_family_on_line_alone(
    line_desk: LineDesk, live_line_api: FakeLineAPI, tmp_path: Path
) -> None:
    # Follow → the welcome, with the note on emergencies, by reply token.
    welcome = await line_desk.send(follow_event(live_line_api, FAMILY), "119", FAMILY)
    assert "v1:req" in " ".join(seen(m) for m in live_line_api.messages(FAMILY))
    assert welcome is not None and {s.via for s in live_line_api.sent} == {"reply"}

    # A question → its answer.
    question = text_event(live_line_api, FAMILY, "訪問看護を使いたい")
    await line_desk.send(question, "訪問看護", FAMILY)

    # An emergency → the guidance first.
    before = len(live_line_api.messages(FAMILY))
    await line_desk.send(text_event(live_line_api, FAMILY, "子どもが息をしていない"), "119", FAMILY)
    assert "119" in live_line_api.messages(FAMILY)[before]["text"]

    # Words instead of slash commands; a sticker asks for words.
    await line_desk.send(text_event(live_line_api, FAMILY, "マイデータ"), "", FAMILY)
    await line_desk.send(text_event(live_line_api, FAMILY, "メニュー"), "v1:req", FAMILY)
    await line_desk.send(sticker_event(live_line_api, FAMILY), "文字", FAMILY)

    assert line_desk.terminate() == 0, line_desk.output()[-3000:]
    logged = line_desk.output()
    for secret in ("訪問看護を使いたい", "息をしていない", FAMILY, live_line_api.access_token):
        assert secret not in logged
    # Handled events keep no text; their answers went out.
    assert rows(tmp_path / "t.db", "SELECT COUNT(*) FROM line_inbox WHERE raw IS NOT NULL") == [
        (0,)
    ]
    assert rows(
        tmp_path / "t.db",
        "SELECT COUNT(*) FROM processed_updates WHERE update_id LIKE 'line:%' AND replies IS NOT"
        " NULL",
    ) == [(0,)]


@needs_content
async def test_forged_calls_are_refused_and_redeliveries_handled_once(
    line_desk: LineDesk, live_line_api: FakeLineAPI, tmp_path: Path
) -> None:
    forged = text_event(live_line_api, OTHER, "訪問看護を使いたい")
    assert await line_desk.post(forged, secret="f" * 32) == 401
    event = text_event(live_line_api, FAMILY, "訪問看護を使いたい")
    assert await line_desk.post(event) == 200
    await line_desk.wait_for(FAMILY, "訪問看護")
    answered = len(live_line_api.messages(FAMILY))
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert await line_desk.post(again) == 200
    # Events are handled in order: once the next one is answered, the redelivery was not.
    await line_desk.send(text_event(live_line_api, FAMILY, "メニュー"), "v1:req", FAMILY)
    assert len(live_line_api.messages(FAMILY)) == answered + 1
    assert live_line_api.messages(OTHER) == []
    assert rows(tmp_path / "t.db", "SELECT COUNT(*) FROM line_inbox") == [(2,)]
    assert "訪問看護を使いたい" not in line_desk.output()


@needs_content
async def test_a_crash_in_the_middle_of_an_intake_resumes(
    line_desk: LineDesk, live_line_api: FakeLineAPI
) -> None:
    await line_desk.send(follow_event(live_line_api, FAMILY), "v1:req", FAMILY)
    steps = list(intake_steps())
    for kind, sent, expect in steps[:6]:
        await _step(line_desk, live_line_api, kind, sent, expect)
    # The family presses the next button; LINE is told it arrived, and the desk dies at
    # once (SIGKILL), before or while handling it.
    kind, sent, expect = steps[6]
    before = len(live_line_api.messages(FAMILY))
    assert await line_desk.post(postback_event(live_line_api, FAMILY, sent)) == 200
    line_desk.kill()
    # After the restart it is answered all the same, and the intake goes on to the ticket.
    await line_desk.start()
    await line_desk.wait_for(FAMILY, expect, before)
    for kind, sent, expect in steps[7:]:
        await _step(line_desk, live_line_api, kind, sent, expect)


async def _step(
    desk: LineDesk, live_line_api: FakeLineAPI, kind: str, sent: str, expect: str
) -> None:
    if kind == "press":
        await desk.send(postback_event(live_line_api, FAMILY, sent), expect, FAMILY)
    else:
        await desk.send(text_event(live_line_api, FAMILY, sent), expect, FAMILY)


@needs_content
async def test_both_channels_in_one_process(
    live_line_api: FakeLineAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    desk = LineDesk.with_telegram(live_line_api, tmp_path, api.base_url, group=GROUP,
                                  coordinator=f"{COORDINATOR}:jido_katei")
    await desk.start()
    try:
        await desk.send(follow_event(live_line_api, FAMILY), "v1:req", FAMILY)
        for kind, sent, expect in intake_steps():
            await _step(desk, live_line_api, kind, sent, expect)
        # The group hears of it on Telegram, without anything that identifies the family.
        notice = await wait_until(
            lambda: next((m for m in api.messages(GROUP) if "K-0001" in m["text"]), None),
            lambda: f"the notice in the group\n{desk.output()[-2000:]}",
        )
        for personal in (*PERSONAL, FAMILY):
            assert personal not in notice["text"]
        # A coordinator's reply reaches the family on LINE.
        api.push_command(COORDINATOR, "start", language_code="ja")
        api.push_command(COORDINATOR, "claim", "K-0001", language_code="ja")
        api.push_command(
            COORDINATOR, "reply", "K-0001 明日10時にお電話します。", language_code="ja"
        )
        pushed = await desk.wait_for(FAMILY, "明日10時にお電話します。")
        assert pushed is not None
        assert any(s.via == "push" and "明日10時" in str(s.message) for s in live_line_api.sent)
        assert desk.terminate() == 0, desk.output()[-3000:]
    finally:
        desk.kill()


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (
            {"TSUNAGU_LINE_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef"},
            "TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN",
        ),
        (
            {"TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN": "test-line-access-token"},
            "TSUNAGU_LINE_CHANNEL_SECRET",
        ),
        (
            {
                "TSUNAGU_LINE_CHANNEL_SECRET": "not-hex",
                "TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN": "x" * 20,
            },
            "TSUNAGU_LINE_CHANNEL_SECRET",
        ),
        (
            {
                "TSUNAGU_LINE_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
                "TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN": "x" * 20,
                "TSUNAGU_LINE_WEBHOOK_PORT": "http",
            },
            "TSUNAGU_LINE_WEBHOOK_PORT",
        ),
    ],
)
def test_a_half_or_malformed_line_setting_stops_with_one_line(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    env = clean_env(TSUNAGU_DB=str(tmp_path / "t.db"), **settings)
    result = subprocess.run(
        tsunagu_command(), cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0], lines
    for value in settings.values():
        if len(value) >= 16:
            assert value not in lines[0]  # a secret is named, never shown
    assert not (tmp_path / "t.db").exists()
