"""A family on LINE who blocked the account gets no push: a coordinator's ``/reply`` is given
up and the coordinator is told, as for a Telegram family who blocked the bot. Through the
real ``tsunagu run`` with both channels (select with ``pytest -m e2e``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotAPI
from tests.fake_line_api import (
    FakeLineAPI,
    follow_event,
    postback_event,
    text_event,
    unfollow_event,
)
from tests.line_desk import LineDesk, intake_steps, wait_until
from tests.running_desk import needs_content

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FAMILY = "U" + "3" * 32
GROUP = -1001234567890
COORDINATOR = 700_301
REPLY = "明日10時にお電話します。"


@pytest.fixture
async def desk(
    live_line_api: FakeLineAPI, api: FakeBotAPI, tmp_path: Path
) -> AsyncIterator[LineDesk]:
    running = LineDesk.with_telegram(live_line_api, tmp_path, api.base_url, group=GROUP,
                                     coordinator=f"{COORDINATOR}:jido_katei")
    await running.start()
    yield running
    running.kill()


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@needs_content
async def test_a_reply_to_a_family_who_unfollowed_is_given_up_and_the_coordinator_told(
    desk: LineDesk, live_line_api: FakeLineAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    await desk.send(follow_event(live_line_api, FAMILY), "v1:req", FAMILY)
    for kind, sent, expect in intake_steps():
        event = (
            postback_event(live_line_api, FAMILY, sent)
            if kind == "press"
            else text_event(live_line_api, FAMILY, sent)
        )
        await desk.send(event, expect, FAMILY)
    api.push_command(COORDINATOR, "start", language_code="ja")
    api.push_command(COORDINATOR, "claim", "K-0001", language_code="ja")
    await wait_until(
        lambda: next((m for m in api.messages(COORDINATOR) if "K-0001" in m["text"]), None),
        lambda: f"the claim answered\n{desk.output()[-2000:]}",
    )

    # The family blocks the account; LINE tells the desk with an unfollow event.
    assert await desk.post(unfollow_event(FAMILY)) == 200
    db = tmp_path / "t.db"
    await wait_until(
        lambda: {} if count(db, "SELECT COUNT(*) FROM line_unfollowed") == 1 else None,
        lambda: "the unfollow recorded",
    )
    pushes_before = [c for c in live_line_api.calls if c.path.endswith("/push")]
    told_before = len(api.messages(COORDINATOR))

    api.push_command(COORDINATOR, "reply", f"K-0001 {REPLY}", language_code="ja")
    told = await wait_until(
        lambda: next(
            (
                m
                for m in api.messages(COORDINATOR)[told_before:]
                if "K-0001" in m["text"] and "届けられませんでした" in m["text"]
            ),
            None,
        ),
        lambda: (
            "the coordinator told the family was not reached: have"
            f" {[m['text'] for m in api.messages(COORDINATOR)[told_before:]]}"
            f"\n{desk.output()[-2000:]}"
        ),
    )
    assert "ブロック" in told["text"]
    # Nothing was pushed to the family, not even tried: LINE was not called at all.
    assert [c for c in live_line_api.calls if c.path.endswith("/push")] == pushes_before
    assert not any(REPLY in str(m) for m in live_line_api.messages(FAMILY))
    # The reply is given up in the outbox, not left to be tried again.
    assert (
        count(
            db,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'message_to_family'"
            " AND failed_at IS NOT NULL AND sent_at IS NULL",
        )
        == 1
    )
    assert count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'message_to_family'") == 1
    assert desk.terminate() == 0, desk.output()[-3000:]
