"""``tsunagu report --from DATE --to DATE --out DIR``: the support council's report."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from content.base import N_

if TYPE_CHECKING:
    from bot.config import Settings

NO_DATABASE = N_("there is no database at {path}; give the desk's own file with TSUNAGU_DB")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-04-01") from None


def add_report_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report", help="write the support council's report (Markdown, CSV and PNG charts)"
    )
    report.add_argument("--from", dest="first", type=_day, required=True,
                        help="first day, YYYY-MM-DD (Tokyo)")
    report.add_argument("--to", dest="last", type=_day, required=True,
                        help="last day, YYYY-MM-DD (Tokyo), included")
    report.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    report.add_argument("--lang", choices=["ja", "en"],
                        help="language of the report (default: Japanese)")


async def run_report(settings: Settings, args: argparse.Namespace,
                     out: TextIO | None = None) -> int:
    # Imported here: the other commands start without the database, content and charts.
    from bot.report import write_report
    from content.i18n import CatalogTranslations
    from content.loader import load_content
    from content.problems import staff_locale
    from storage.database import Database
    from storage.reports import report_figures, tokyo_day_bounds

    out = out or sys.stdout
    if not settings.db.is_file():
        # Opening it would create an empty database and report zero requests.
        t = CatalogTranslations().for_locale(args.lang or staff_locale())
        print("tsunagu: " + t.gettext(NO_DATABASE).format(path=settings.db), file=sys.stderr)
        return 2
    if args.first > args.last:
        print("tsunagu: --from must not be after --to", file=sys.stderr)
        return 2
    loaded = load_content(settings.content_dir)
    if loaded.content is None:
        print("tsunagu: the content has errors (run `tsunagu content check`)", file=sys.stderr)
        return 2
    start, end = tokyo_day_bounds(args.first, args.last)
    db = await Database.open(settings.db)
    try:
        async with db.transaction() as tx:
            figures = await report_figures(tx.conn, start, end)
    finally:
        await db.close()
    written = write_report(
        figures, loaded.content, args.out, CatalogTranslations(), args.lang or staff_locale()
    )
    for path in (written.markdown, written.csv, *written.charts):
        out.write(f"{path}\n")
    return 0
