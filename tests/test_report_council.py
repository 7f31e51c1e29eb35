"""The council report's needs and problems, families known and outcomes by office, and the
report as a ward clerk opens it: Japanese throughout, charts drawn with the packaged
Japanese font, and a clear refusal when the database file does not exist."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.report import ALSO_HIDDEN, HIDDEN, japanese_font, protect_grid, write_report
from content.i18n import CatalogTranslations
from content.loader import DEFAULT_CONTENT_DIR, load_content
from flows.records import NeedStatus
from storage.database import Database
from storage.reports import ReportFigures, report_figures, tokyo_day_bounds
from tests.fakes import tg
from tests.test_report import APRIL_1_TOKYO, read_csv, seed

SECRET = "ショートステイ先の〇〇園は3月まで満床"
# (ticket number, code, status); ticket 9 is withdrawn, 90 was made before the period.
NEEDS: list[tuple[int, str, NeedStatus]] = [
    (1, "short_stay", "beyond_ward"), (2, "short_stay", "beyond_ward"),
    (3, "short_stay", "beyond_ward"), (4, "short_stay", "resolved"),
    (5, "short_stay", "resolved"), (6, "short_stay", "resolved"),
    (7, "nursery", "in_progress"), (1, "night_nursing", "open"),
    (2, "transport", "beyond_ward"), (8, "disaster_power", "resolved"),
    (10, "nursery", "open"), (90, "short_stay", "open"),
]
COORDINATOR = 1001


async def seed_needs(path: Path) -> None:
    await seed(path)
    db = await Database.open(path)
    async with db.transaction() as tx:
        async with tx.conn.execute("SELECT number, id FROM tickets") as cur:
            ids = {number: ticket_id for number, ticket_id in await cur.fetchall()}
        at = APRIL_1_TOKYO + timedelta(days=40)
        for number, code, status in NEEDS:
            need = await tx.needs.record_need(ids[number], code, SECRET, at, tg(COORDINATOR))
            assert need is not None
            if status != "open":
                assert await tx.needs.set_need_status(need.id, status, at, tg(COORDINATOR))
    await db.close()


async def april(path: Path) -> ReportFigures:
    db = await Database.open(path)
    start, end = tokyo_day_bounds(datetime(2026, 4, 1).date(), datetime(2026, 4, 30).date())
    async with db.transaction() as tx:
        figures = await report_figures(tx.conn, start, end)
    await db.close()
    return figures


@pytest.fixture
async def figures(tmp_path: Path) -> ReportFigures:
    await seed_needs(tmp_path / "t.db")
    return await april(tmp_path / "t.db")


def report(figures: ReportFigures, out: Path, locale: Any) -> tuple[str, dict[tuple[str, str],
                                                                              str], str]:
    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None
    written = write_report(figures, content, out, CatalogTranslations(), locale)
    return (written.markdown.read_text("utf-8"), read_csv(written.csv),
            written.csv.read_text("utf-8-sig"))


async def test_the_needs_figures_match_a_count_by_hand(figures: ReportFigures) -> None:
    needs = figures.needs
    assert needs.total == 11  # ticket 90's need was found on a request before April
    assert needs.by_code == {"short_stay": 6, "nursery": 2, "night_nursing": 1,
                             "transport": 1, "disaster_power": 1}
    assert needs.by_status == {"beyond_ward": 4, "resolved": 4, "in_progress": 1, "open": 2}
    assert needs.by_code_status[("short_stay", "beyond_ward")] == 3
    # Families whose details are held, once each: the ten April families but the withdrawn
    # one, and the family of ticket 90 (March); ticket 91 (May) is after the period.
    families = figures.families
    assert families.total == 10
    assert families.by_age_band == {"0": 1, "1-2": 2, "3-5": 3, "6-11": 1, "before_birth": 1,
                                    "12-14": 1, "not_recorded": 1}
    assert families.by_care == {"tube": 5, "vent": 3, "trach": 1, "suction": 1, "oxygen": 1}
    assert figures.tickets.outcome_by_office == {
        ("kodomo_hattatsu", "resolved"): 4, ("kodomo_hattatsu", "referred"): 1,
        ("jido_katei", "unreachable"): 1}


async def test_a_family_is_counted_once_by_its_latest_request(tmp_path: Path) -> None:
    await seed(tmp_path / "t.db")
    db = await Database.open(tmp_path / "t.db")
    async with db.transaction() as tx:
        # The family of ticket 1 asks again in April, now about their 1-year-old on oxygen.
        await tx.conn.execute(
            """INSERT INTO tickets (id, number, reference, created_at, status, office, priority)
               VALUES (500, 500, 'K-0500', ?, 'new', 'jido_katei', 'normal')""",
            ((APRIL_1_TOKYO + timedelta(days=20)).isoformat(),))
        await tx.conn.execute(
            """INSERT INTO ticket_details (ticket_id, subject, channel, chat_id, locale,
               consent_id, share_with_departments, answers)
               SELECT 500, subject, channel, chat_id, locale, consent_id, 0, ?
               FROM ticket_details WHERE ticket_id = 1""",
            ('{"care": ["oxygen"], "age": {"kind": "age", "years": 1, "months": 0}}',))
    await db.close()
    families = (await april(tmp_path / "t.db")).families
    assert families.total == 10
    assert families.by_age_band["0"] == 0 and families.by_age_band["1-2"] == 3
    assert families.by_care["oxygen"] == 2 and families.by_care["vent"] == 2


async def test_the_report_counts_needs_and_hides_small_ones(figures: ReportFigures,
                                                            tmp_path: Path) -> None:
    markdown, values, raw = report(figures, tmp_path / "out", "en")
    assert values[("needs_total", "total")] == "11"
    assert values[("needs", "short_stay")] == "6"
    assert values[("needs", "nursery")] == HIDDEN and values[("needs", "transport")] == HIDDEN
    assert values[("need_status", "resolved")] == "4"
    assert values[("need_status", "beyond_ward")] == "4"
    assert values[("need_status", "open")] == HIDDEN
    # For the council: 3 short stays and 1 transport make the 4 printed above, so the 3
    # is hidden too, or the 1 would follow.
    assert values[("council", "short_stay")] == ALSO_HIDDEN
    assert values[("council", "transport")] == HIDDEN
    assert "Resolved: 4 of 11." in markdown
    assert "### For the support council: beyond what the ward can solve" in markdown
    assert values[("families", "total")] == "10"
    assert values[("families_age", "3-5")] == "3" and values[("families_care", "tube")] == "5"
    # Outcomes by office: each outcome's column on its own (the outcomes' totals are printed).
    assert values[("outcome_by_office", "kodomo_hattatsu:resolved")] == "4"
    assert values[("outcome_by_office", "kodomo_hattatsu:referred")] == HIDDEN
    assert values[("outcome_by_office", "jido_katei:resolved")] == "0"
    # The coordinators' notes never reach the report; nor does a count of 1 or 2.
    assert SECRET not in markdown and SECRET not in raw
    assert not any(v in ("1", "2") for (section, _k), v in values.items()
                   if section != "period")


@pytest.mark.parametrize(
    ("grid", "columns", "printed"),
    [
        # Each column adds up to its printed total: a lone small count takes another with it.
        ([[4, 1], [0, 0]], ["4", "<3"], [["4", "<3"], ["0", "0"]]),
        ([[4, 0], [1, 0]], ["5", "0"], [["*", "0"], ["<3", "0"]]),
        # The total of a column is hidden elsewhere: its cells cannot all be shown.
        ([[3, 0], [0, 0]], ["*", "0"], [["*", "0"], ["0", "0"]]),
        ([[3, 5]], None, [["3", "5"]]),
    ],
)
def test_protect_grid(grid: list[list[int]], columns: list[str] | None,
                      printed: list[list[str]]) -> None:
    assert protect_grid(grid, None, columns) == printed


# --- the report as a clerk opens it -----------------------------------------------------

# What may stay in Latin letters in the Japanese report: the names "FAQ" and "QR" (QRコード,
# as Japanese writes it), the charts' file names, and the offices' own names (よろず相談
# Light), and none else.
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@cache
def _office_words() -> frozenset[str]:
    content = load_content(DEFAULT_CONTENT_DIR).content
    assert content is not None
    return frozenset(_LATIN_WORD.findall(" ".join(o.name.ja for o in content.offices.offices)))


def latin_words(markdown: str) -> set[str]:
    without_images = re.sub(r"\]\([^)]*\.png\)", "]", markdown)
    return set(_LATIN_WORD.findall(without_images)) - {"FAQ", "QR"} - _office_words()


async def test_the_japanese_report_is_japanese_throughout(figures: ReportFigures,
                                                          tmp_path: Path) -> None:
    markdown, _values, raw = report(figures, tmp_path / "out", "ja")
    assert latin_words(markdown) == set()
    assert "| 項目 | 件数 |" in markdown and "| | 中央値 |" in markdown.replace("|  |", "| |")
    assert "## 個別支援を通じてわかったニーズ・課題" in markdown
    assert "解決したもの：11件のうち4件" in markdown
    assert "| 短期入所（ショートステイ）の空きがない | 6 |" in markdown
    header = raw.splitlines()[0]
    assert header == "区分,項目,値,区分コード,項目コード"
    # The people-facing columns of the CSV are Japanese too (the codes are for machines).
    for line in raw.splitlines()[1:]:
        section, item = line.split(",")[:2]
        assert latin_words(section + " " + item) == set(), line


@pytest.fixture
def fonts_used(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The font files Agg draws each text of a chart with."""
    from matplotlib.backends import backend_agg

    used: list[str] = []
    original = vars(backend_agg)["get_font"]

    def recording(paths: Any, *args: Any, **kwargs: Any) -> Any:
        font = original(paths, *args, **kwargs)
        used.append(str(font.fname))
        return font

    monkeypatch.setattr(backend_agg, "get_font", recording)
    yield used


async def test_charts_use_the_packaged_japanese_font(figures: ReportFigures, tmp_path: Path,
                                                      fonts_used: list[str]) -> None:
    from matplotlib_fontja import get_font_ttf_path

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        content = load_content(DEFAULT_CONTENT_DIR).content
        assert content is not None
        written = write_report(figures, content, tmp_path / "out", CatalogTranslations(), "ja")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert written.chart_language == "ja"
    names = {p.name.rsplit("-", 1)[-1] for p in written.charts}
    assert {"office.png", "needs.png", "families_age.png"} <= names
    # Every text on every chart (labels, titles, numbers, ticks) is set in the packaged font.
    assert fonts_used and set(fonts_used) == {get_font_ttf_path()}
    assert japanese_font() == "IPAexGothic"


def test_the_report_refuses_a_database_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("TSUNAGU_DB", str(missing))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "council"
    code = main(["report", "--from", "2026-04-01", "--to", "2026-04-30", "--out", str(out),
                 "--lang", "ja"])
    assert code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err and "データベースがありません" in err
    assert not missing.exists() and not out.exists()
