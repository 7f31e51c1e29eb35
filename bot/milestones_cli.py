"""``tsunagu milestones preview --birth YYYY-MM``: the dated schedule a family would receive.

For staff checking milestones.yaml: one line per message, the business day it would be sent
(for a family that agreed at the birth), then its title. Lines in the language asked for;
anything wrong is one line on standard error and exit code 2 (bad input) or 1 (content).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.content_cli import content_dir
from content.base import N_, Locale
from content.i18n import CatalogTranslations
from content.loader import load_content
from content.problems import staff_locale
from flows.milestones.schedule import YearMonth, preview

BAD_BIRTH = N_("--birth: “{value}” is not a year and month; write it like 2024-05")
CONTENT_ERRORS = N_("the content has errors; run: tsunagu content check")
NO_MILESTONES = N_("no milestones in milestones.yaml")


def add_milestones_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    milestones = sub.add_parser("milestones", help="information for the child's age")
    commands = milestones.add_subparsers(dest="milestones_command", required=True)
    show = commands.add_parser("preview", help="the dated schedule for a month of birth")
    show.add_argument("--birth", required=True, help="the month of birth, like 2024-05")
    show.add_argument("--lang", choices=["ja", "en"],
                      help="language of the titles (default: Japanese)")
    show.add_argument("--dir", type=Path, help="content directory (default: TSUNAGU_CONTENT_DIR)")


def run_milestones(args: argparse.Namespace, out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    locale: Locale = args.lang or staff_locale()
    t = CatalogTranslations().for_locale(locale)
    try:
        birth = YearMonth.parse(args.birth)
    except ValueError:
        print(f"tsunagu: {t.gettext(BAD_BIRTH).format(value=args.birth)}", file=err)
        return 2
    directory = content_dir(args.dir, err)
    if directory is None:
        return 2
    content = load_content(directory).content
    if content is None:
        print(f"tsunagu: {t.gettext(CONTENT_ERRORS)}", file=err)
        return 1
    schedule = preview(birth, content.milestones)
    if not schedule:
        print(f"tsunagu: {t.gettext(NO_MILESTONES)}", file=err)
        return 0
    for item in schedule:
        print(f"{item.day.isoformat()}  {item.milestone.title.get(locale)}", file=out)
    return 0
