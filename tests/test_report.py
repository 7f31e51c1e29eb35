"""The support council's report on a seeded database: figures computed by hand, small counts
hidden as "<3" (and one more where a total would give them away), files written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.report import ALSO_HIDDEN, HIDDEN, chart_bars, protect, write_report
from content.i18n import CatalogTranslations
from content.loader import DEFAULT_CONTENT_DIR, load_content
from flows.age_bands import age_band
from flows.records import ConsentDecision, NewTicket
from storage.database import Database
from storage.reports import report_figures, tokyo_day_bounds
from tests.fakes import tg

APRIL_1_TOKYO = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)  # 2026-04-01 00:00 in Tokyo

# (office, needs, care, age, status, hours to claim, hours to close, outcome); None: withdrawn
TICKETS: list[tuple[str, list[str], list[str], dict[str, Any], str, float | None,
                    float | None, str | None] | None] = [
    ("kodomo_hattatsu", ["services", "respite"], ["vent", "trach"],
     {"kind": "age", "years": 0, "months": 5}, "closed", 2, 24, "resolved"),
    ("kodomo_hattatsu", ["services"], ["tube"], {"kind": "age", "years": 1, "months": 0},
     "closed", 4, 48, "resolved"),
    ("kodomo_hattatsu", ["services", "nursery"], ["tube"], {"kind": "age", "years": 2,
     "months": 3}, "closed", 1, 12, "resolved"),
    ("kodomo_hattatsu", ["respite"], ["tube", "suction"], {"kind": "born", "month": "2022-01"},
     "closed", 10, 72, "resolved"),
    ("kodomo_hattatsu", ["services"], ["vent"], {"kind": "age", "years": 4, "months": 0},
     "closed", 3, 36, "referred"),
    ("jido_katei", ["respite", "school"], ["oxygen"], {"kind": "age", "years": 7, "months": 0},
     "closed", 5, 30, "unreachable"),
    ("jido_katei", ["services"], ["tube"], {"kind": "due", "month": "2026-08"}, "assigned", 6,
     None, None),
    ("jido_katei", ["respite"], ["vent"], {"kind": "age", "years": 3, "months": 1}, "assigned", 8,
     None, None),
    None,  # jido_katei, withdrawn: its details are gone
    ("yorozu_light", ["talk"], ["tube"], {"kind": "age", "years": 13, "months": 0}, "new", None,
     None, None),
]


async def _consent(tx: Any, at: datetime) -> int:
    decision = ConsentDecision(
        subject="telegram:1:1", at=at, decision="granted", locale="ja", text_version="1",
        text_hash="x", use_for_request=True, share_with_departments=False,
        age_information=True, writer="guardian", guardian_confirmed=True,
    )
    return int(await tx.consents.append(decision))


async def _ticket(tx: Any, number: int, at: datetime, office: str, answers: dict[str, Any],
                  consent: int) -> int:
    return int(await tx.tickets.create(NewTicket(
        number=number, reference=f"K-{number:04d}", created_at=at, office=office,
        priority="normal", subject=f"telegram:{number}:{number}", channel="telegram",
        chat_id=tg(number), locale="ja", consent_id=consent, share_with_departments=False,
        answers=answers,
    )))


async def seed(path: Path) -> None:
    db = await Database.open(path)
    async with db.transaction() as tx:
        consent = await _consent(tx, APRIL_1_TOKYO)
        for i, spec in enumerate(TICKETS, start=1):
            # Ticket 1 at the very first moment of April in Tokyo; one every three days.
            at = APRIL_1_TOKYO + timedelta(days=3 * (i - 1))
            if spec is None:
                ticket = await _ticket(tx, i, at, "jido_katei", {"needs": ["services"]}, consent)
                await tx.tickets.withdraw(ticket, at + timedelta(hours=1))
                continue
            office, needs, care, age, status, claim, close, outcome = spec
            answers = {"needs": needs, "care": care, "age": age, "name": "山田"}
            ticket = await _ticket(tx, i, at, office, answers, consent)
            if claim is not None:
                await tx.conn.execute(
                    "UPDATE tickets SET status = 'assigned', claimed_at = ? WHERE id = ?",
                    ((at + timedelta(hours=claim)).isoformat(), ticket),
                )
            if close is not None:
                await tx.tickets.close(ticket, at + timedelta(hours=close))
                await tx.conn.execute("UPDATE tickets SET outcome = ? WHERE id = ?",
                                      (outcome, ticket))
            assert status in ("closed", "assigned", "new")
        # Just outside the period on both sides (Tokyo midnight).
        await _ticket(tx, 90, APRIL_1_TOKYO - timedelta(seconds=1), "jido_katei",
                      {"needs": ["services"]}, consent)
        await _ticket(tx, 91, APRIL_1_TOKYO + timedelta(days=30), "jido_katei",
                      {"needs": ["services"]}, consent)
        april = APRIL_1_TOKYO + timedelta(days=5)
        for topic, times in (("coord_what", 5), ("houmon_kango", 3), ("tanki_nyusho", 2)):
            for _ in range(times):
                await tx.faq_views.record(at=april, locale="ja", topic=topic, how="text")
        await tx.faq_views.record(at=APRIL_1_TOKYO + timedelta(days=31), locale="ja",
                                  topic="coord_what", how="text")
        for text in ("ぴよぴよ会のお茶会は4月12日ですか", "ぴよぴよ会のお茶会は4月12日？",
                     "ぴよぴよ会のお茶会は4月12日ですか", "駐輪場のシールがほしい"):
            await tx.unanswered.record(at=april, locale="ja", text=text, mode="refuse",
                                       best_topic=None, confidence=0.1)
    await db.close()


def read_csv(path: Path) -> dict[tuple[str, str], str]:
    """(section code, item code) → value; the columns are section, item, value, codes."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # what Excel expects
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows[0]) == 5
    return {(r[3], r[4]): r[2] for r in rows[1:]}


async def test_the_figures_match_a_count_by_hand(tmp_path: Path) -> None:
    await seed(tmp_path / "t.db")
    db = await Database.open(tmp_path / "t.db")
    start, end = tokyo_day_bounds(datetime(2026, 4, 1).date(), datetime(2026, 4, 30).date())
    async with db.transaction() as tx:
        figures = await report_figures(tx.conn, start, end)
    await db.close()
    tickets = figures.tickets
    assert tickets.total == 10
    assert tickets.by_office == {"kodomo_hattatsu": 5, "jido_katei": 4, "yorozu_light": 1}
    assert tickets.by_status == {"closed": 6, "assigned": 2, "new": 1, "withdrawn": 1}
    assert tickets.by_need == {"services": 5, "respite": 4, "nursery": 1, "school": 1,
                               "talk": 1, "not_recorded": 1}
    assert tickets.by_care == {"tube": 5, "vent": 3, "trach": 1, "suction": 1, "oxygen": 1,
                               "not_recorded": 1}
    assert tickets.by_age_band == {"0": 1, "1-2": 2, "3-5": 3, "6-11": 1, "before_birth": 1,
                                   "12-14": 1, "not_recorded": 1}
    assert tickets.without_details == 1
    assert tickets.by_outcome == {"resolved": 4, "referred": 1, "unreachable": 1}
    assert sorted(tickets.hours_to_claim or []) == pytest.approx([1, 2, 3, 4, 5, 6, 8, 10])
    assert sorted(tickets.hours_to_close) == pytest.approx([12, 24, 30, 36, 48, 72])
    assert figures.faq_views == {"coord_what": 5, "houmon_kango": 3, "tanki_nyusho": 2}
    assert len(figures.unanswered) == 4


async def test_the_report_files_hide_small_counts(tmp_path: Path) -> None:
    await seed(tmp_path / "t.db")
    db = await Database.open(tmp_path / "t.db")
    start, end = tokyo_day_bounds(datetime(2026, 4, 1).date(), datetime(2026, 4, 30).date())
    async with db.transaction() as tx:
        figures = await report_figures(tx.conn, start, end)
    await db.close()
    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None
    written = write_report(figures, content, tmp_path / "out", CatalogTranslations(), "en")
    assert written.markdown.name == "report-2026-04-01-2026-04-30.md"

    values = read_csv(written.csv)
    assert values[("requests", "total")] == "10"
    # 5 and 4 are printed, 1 is hidden; with the total, 4 must go too: 10 - 5 = 5 = 4 + 1
    # would still allow 4+1 or 3+2, but 1 alone (10 - 5 - 4) would give it away.
    assert values[("office", "kodomo_hattatsu")] == "5"
    assert values[("office", "jido_katei")] == ALSO_HIDDEN
    assert values[("office", "yorozu_light")] == HIDDEN
    assert values[("need", "services")] == "5" and values[("need", "respite")] == "4"
    assert values[("need", "nursery")] == HIDDEN and values[("need", "not_recorded")] == HIDDEN
    assert values[("care", "tube")] == "5" and values[("care", "vent")] == "3"
    assert values[("care", "trach")] == HIDDEN
    assert values[("age", "3-5")] == "3"
    assert values[("age", "1-2")] == HIDDEN and values[("age", "0")] == HIDDEN
    assert values[("status", "closed")] == "6" and values[("status", "assigned")] == HIDDEN
    assert values[("outcome", "resolved")] == "4" and values[("outcome", "referred")] == HIDDEN
    assert values[("time", "hours_to_claim")] == "4.5"  # (4 + 5) / 2
    assert values[("time", "hours_to_close")] == "33.0"  # (30 + 36) / 2
    assert values[("faq", "coord_what")] == "5" and values[("faq", "tanki_nyusho")] == HIDDEN
    assert values[("unanswered", "theme_1")] == "3"
    assert values[("unanswered", "other")] == HIDDEN
    # No count of 1 or 2 anywhere.
    assert not any(v in ("1", "2") for (section, _k), v in values.items() if section != "period")

    markdown = written.markdown.read_text("utf-8")
    assert "<3" in markdown and "| 1 |" not in markdown and "| 2 |" not in markdown
    # Parents' words appear only as themes asked 3 times or more, digits masked.
    assert "ぴよぴよ会のお茶会は#月#日ですか" in markdown
    assert "4月12日" not in markdown and "駐輪場" not in markdown
    assert "山田" not in markdown and "山田" not in written.csv.read_text("utf-8-sig")

    names = {p.name for p in written.charts}
    assert "report-2026-04-01-2026-04-30-office.png" in names
    assert "report-2026-04-01-2026-04-30-status.png" in names
    for chart in written.charts:
        assert chart.read_bytes().startswith(b"\x89PNG")
        assert f"({chart.name})" in markdown


def test_hidden_counts_get_no_bar() -> None:
    from bot.report import Row, Section

    section = Section("office", "By office", (
        Row("a", "A", 5, "5"), Row("b", "B", 4, ALSO_HIDDEN), Row("c", "C", 1, HIDDEN),
    ))
    assert [r.key for r in chart_bars(section)] == ["a"]


@pytest.mark.parametrize(
    ("counts", "adds_up", "printed"),
    [
        ([0, 1, 2, 3], False, ["0", "<3", "<3", "3"]),
        ([5, 1], True, ["*", "<3"]),
        ([5, 4, 1], True, ["5", "*", "<3"]),
        ([6, 3, 1], True, ["*", "*", "<3"]),  # with 3 also hidden, 4 - 3 = 1 would show
        ([6, 1, 1, 2], True, ["6", "<3", "<3", "<3"]),  # 4 over three cells: 1+1+2 or 2+1+1
        ([6, 1, 1], True, ["*", "<3", "<3"]),  # 2 over two cells can only be 1 + 1
        ([3, 3, 3], True, ["3", "3", "3"]),
    ],
)
def test_protect(counts: list[int], adds_up: bool, printed: list[str]) -> None:
    assert protect(counts, adds_up=adds_up) == printed


def test_age_bands() -> None:
    at = datetime(2026, 4, 10, tzinfo=UTC)
    assert age_band({"kind": "born", "month": "2022-01"}, at) == "3-5"
    assert age_band({"kind": "born", "month": "2026-03"}, at) == "0"
    assert age_band({"kind": "due", "month": "2026-08"}, at) == "before_birth"
    assert age_band({"kind": "age", "years": 18, "months": 0}, at) == "18+"
    assert age_band(None, at) == "not_recorded"


def test_tsunagu_report_writes_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    asyncio.run(seed(tmp_path / "t.db"))
    monkeypatch.setenv("TSUNAGU_DB", str(tmp_path / "t.db"))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "council"
    code = main(["report", "--from", "2026-04-01", "--to", "2026-04-30", "--out", str(out),
                 "--lang", "ja"])
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert str(out / "report-2026-04-01-2026-04-30.md") in printed
    assert (out / "report-2026-04-01-2026-04-30.csv").is_file()
    assert any(p.endswith(".png") for p in printed)
    assert main(["report", "--from", "2026-05-01", "--to", "2026-04-30", "--out", str(out)]) == 2
