"""Which flyer brought a family: ``/start <source>`` on a chat's first contact is counted once,
per source and Tokyo day, with nobody's id anywhere; anything else changes nothing."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.report import HIDDEN, write_report
from bot.services import Services
from content.i18n import CatalogTranslations
from content.loader import DEFAULT_CONTENT_DIR, load_content
from flows.model import Inbound, Outcome
from flows.records import RosterMember
from storage.database import Database
from storage.reports import report_figures, tokyo_day_bounds
from tests.fake_bot_api import FakeBotAPI
from tests.fakes import FixedClock, tg
from tests.running_desk import REPLY_TIMEOUT, StartDesk, needs_content

# 23:30 on 30 April in Tokyo, still 14:30 UTC: the day counted is Tokyo's.
LATE_EVENING = datetime(2026, 4, 30, 14, 30, tzinfo=UTC)
COORDINATOR = 9001


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    started = await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR,
                                   [RosterMember(user_id=tg(COORDINATOR), coordinator=True)])
    started.engine.deps = dataclasses.replace(started.engine.deps,
                                              clock=FixedClock(LATE_EVENING))
    yield started
    await started.close()


async def start(services: Services, user: int, payload: str = "") -> Outcome:
    outcome = await services.process(Inbound(
        channel="telegram", user_id=tg(user), chat_id=tg(user), kind="command", command="start",
        text=payload, language_code="ja",
    ))
    assert outcome is not None
    return outcome


async def counts(services: Services) -> dict[tuple[str, str], int]:
    async with services.db.transaction() as tx, tx.conn.execute(
        "SELECT day, source, families FROM arrivals"
    ) as cur:
        return {(row[0], row[1]): row[2] for row in await cur.fetchall()}


async def test_a_family_is_counted_once_by_the_flyer_that_brought_it(
    services: Services,
) -> None:
    await start(services, 1, "hokenjo")
    await start(services, 1, "hokenjo")  # the same flyer scanned again
    await start(services, 1, "hospital")  # another flyer, later
    await start(services, 2, "hokenjo")
    await start(services, 3, "hattatsu_center")
    assert await counts(services) == {
        ("2026-04-30", "hokenjo"): 2, ("2026-04-30", "hattatsu_center"): 1,
    }


async def test_a_family_already_known_is_not_counted_when_it_scans_a_flyer(
    services: Services,
) -> None:
    await start(services, 4)  # found the bot some other way first
    await start(services, 4, "hokenjo")
    assert await counts(services) == {}


# Telegram passes on at most 64 of A-Z a-z 0-9 _ -, but anyone can type /start with anything.
MALFORMED = ["nope", "HOKENJO", "hokenjo x", "../hokenjo", "hoken\njo", "保健所", "x" * 65,
             "hokenjo" + "_" * 60, "' OR 1=1 --", "hokenjo%00"]


async def test_an_unknown_or_malformed_source_is_ignored_and_the_welcome_is_the_same(
    services: Services,
) -> None:
    plain = await start(services, 5)
    for user, payload in enumerate(MALFORMED, start=100):
        with_payload = await start(services, user, payload)
        assert [r.text for r in with_payload.replies] == [r.text for r in plain.replies]
        assert [r.buttons for r in with_payload.replies] == [r.buttons for r in plain.replies]
    assert await counts(services) == {}


async def test_the_welcome_after_a_flyer_is_the_ordinary_welcome(services: Services) -> None:
    plain = await start(services, 7)
    flyer = await start(services, 8, "hospital")
    assert [r.text for r in flyer.replies] == [r.text for r in plain.replies]
    assert "つなぐ" in flyer.replies[0].text


async def test_staff_trying_their_own_flyer_are_not_counted(services: Services) -> None:
    await start(services, COORDINATOR, "hokenjo")
    assert await counts(services) == {}


async def test_the_table_holds_no_one(services: Services) -> None:
    await start(services, 10, "hokenjo")
    async with services.db.transaction() as tx, tx.conn.execute(
        "PRAGMA table_info(arrivals)"
    ) as cur:
        columns = {row[1] for row in await cur.fetchall()}
    assert columns == {"day", "source", "families"}
    # Nor does the person's session say where they came from.
    async with services.db.transaction() as tx, tx.conn.execute(
        "SELECT state, data FROM sessions"
    ) as cur:
        assert all("hokenjo" not in str(tuple(row)) for row in await cur.fetchall())


async def seed(path: Path, rows: list[tuple[str, str, int]]) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.conn.executemany(
                "INSERT INTO arrivals (day, source, families) VALUES (?, ?, ?)", rows
            )
    finally:
        await db.close()


async def test_the_report_shows_how_families_found_the_desk(tmp_path: Path) -> None:
    await seed(tmp_path / "r.db", [
        ("2026-04-01", "hokenjo", 3), ("2026-04-30", "hokenjo", 2),
        ("2026-04-12", "hospital", 1),
        ("2026-05-01", "hattatsu_center", 9),  # after the period
        ("2026-03-31", "hattatsu_center", 9),  # before it
        ("2026-04-03", "retired_source", 4),  # a source since taken out of sources.yaml
    ])
    db = await Database.open(tmp_path / "r.db")
    try:
        async with db.transaction() as tx:
            figures = await report_figures(
                tx.conn, *tokyo_day_bounds(date(2026, 4, 1), date(2026, 4, 30))
            )
    finally:
        await db.close()
    assert dict(figures.arrivals) == {"hokenjo": 5, "hospital": 1, "retired_source": 4}

    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None
    written = write_report(figures, content, tmp_path / "out", CatalogTranslations(), "ja")
    markdown = written.markdown.read_text("utf-8")
    section = markdown[markdown.index("ご家族がこの窓口を知ったきっかけ"):]
    assert "| 保健所 | 5 |" in section
    assert f"| 病院の退院支援窓口（NICU・小児科） | {HIDDEN} |" in section
    assert "| retired_source | 4 |" in section
    assert "子ども発達センター" not in section
    table = written.csv.read_text("utf-8-sig")
    # 区分,項目,値,区分コード,項目コード (the layout of the whole CSV)
    assert ",保健所,5,arrivals,hokenjo" in table
    assert f",病院の退院支援窓口（NICU・小児科）,{HIDDEN},arrivals,hospital" in table


async def test_an_empty_period_says_so(tmp_path: Path) -> None:
    await seed(tmp_path / "r.db", [])
    db = await Database.open(tmp_path / "r.db")
    try:
        async with db.transaction() as tx:
            figures = await report_figures(
                tx.conn, *tokyo_day_bounds(date(2026, 4, 1), date(2026, 4, 30))
            )
    finally:
        await db.close()
    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None
    written = write_report(figures, content, tmp_path / "out", CatalogTranslations(), "en")
    markdown = written.markdown.read_text("utf-8")
    section = markdown[markdown.index("How families found the desk"):]
    assert "None in this period." in section


@needs_content
@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_a_telegram_deep_link_is_counted_through_the_real_desk(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    desk = start_desk()
    api.push_command(700_321, "start", "hattatsu_center")
    api.wait_for_messages(700_321, 1, REPLY_TIMEOUT)
    assert desk.terminate() == 0
    with sqlite3.connect(tmp_path / "t.db") as conn:
        rows = conn.execute("SELECT source, families FROM arrivals").fetchall()
    assert rows == [("hattatsu_center", 1)]
