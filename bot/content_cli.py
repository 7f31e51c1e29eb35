"""``tsunagu content check|export|import``: what ward staff run on the content files.

Everything is printed in the staff's language (``--lang``, else Japanese unless
the environment names another language). Problems go to standard output, one per
line as ``file:line: error|warning: message``; the closing summary goes to
standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.config import ConfigError, load_settings
from content.base import N_, Translator
from content.i18n import CatalogTranslations
from content.loader import load_content
from content.problems import Problem, staff_locale
from content.spreadsheet import export_csv, import_csv

CHECK_SUMMARY = N_("{errors} error(s), {warnings} warning(s) in {directory}")
EXPORT_DONE = N_(
    "{entries} entries ({rows} rows) written to {file}. Edit it in Excel, save it as "
    "CSV UTF-8, then run: tsunagu content import --csv {file}"
)
EXPORT_REFUSED = N_("the FAQ files have errors; nothing was exported")
IMPORT_REFUSED = N_(
    "{errors} problem(s) found (the number after the file name is the row in the "
    "spreadsheet); nothing was changed"
)
IMPORT_ROLLED_BACK = N_(
    "the content check failed after the import; the previous FAQ files were put back "
    "and nothing was changed"
)
IMPORT_DONE = N_(
    "{entries} entries written to faq.ja.yaml and faq.en.yaml; {warnings} warning(s) "
    "(see tsunagu content check)"
)
IMPORT_ADDED = N_("new entries: {ids}")
IMPORT_REMOVED = N_("entries removed: {ids}")


def add_content_commands(content: argparse.ArgumentParser) -> None:
    sub = content.add_subparsers(dest="content_command", required=True)
    check = sub.add_parser("check", help="validate the content directory")
    export = sub.add_parser("export", help="write the FAQ to a CSV file for Excel")
    export.add_argument("--csv", type=Path, required=True, help="the CSV file to write")
    import_ = sub.add_parser("import", help="replace the FAQ with a CSV file edited in Excel")
    import_.add_argument("--csv", type=Path, required=True, help="the CSV file to read")
    for command in (check, export, import_):
        command.add_argument(
            "--dir", type=Path, help="content directory (default: TSUNAGU_CONTENT_DIR)"
        )
        command.add_argument(
            "--lang", choices=["ja", "en"], help="language of the messages (default: Japanese)"
        )


def content_dir(given: Path | None, err: TextIO) -> Path | None:
    """The content folder given with --dir, else the configured one; None (the reason told
    on ``err``) when the configuration cannot be read."""
    if given is not None:
        return given
    try:
        return load_settings().content_dir
    except ConfigError as exc:
        print(f"tsunagu: configuration error: {exc}", file=err)
        return None


def run_content_command(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    # Looked up at call time, so redirected streams (tests, wrappers) are honoured.
    out = out or sys.stdout
    err = err or sys.stderr
    t = CatalogTranslations().for_locale(args.lang or staff_locale())
    directory = content_dir(args.dir, err)
    if directory is None:
        return 2
    try:
        if args.content_command == "export":
            return _export(directory, args.csv, t, out, err)
        if args.content_command == "import":
            return _import(directory, args.csv, t, out, err)
    except OSError as exc:
        # A folder that does not exist, a file open in Excel (locked on Windows), a full disk.
        # The CSV's own name, not the temporary file's, is what staff recognise.
        print(f"tsunagu: {args.csv}: {exc.strerror or exc}", file=err)
        return 1
    return _check(directory, t, out, err)


def _say(t: Translator, msgid: str, **params: object) -> str:
    return t.gettext(msgid).format(**params)


def _print_problems(problems: list[Problem], t: Translator, out: TextIO) -> None:
    for problem in problems:
        print(problem.render(t), file=out)


def _check(directory: Path, t: Translator, out: TextIO, err: TextIO) -> int:
    result = load_content(directory)
    _print_problems(result.errors + result.warnings, t, out)
    errors, warnings = len(result.errors), len(result.warnings)
    print(_say(t, CHECK_SUMMARY, errors=errors, warnings=warnings, directory=directory), file=err)
    return 1 if result.errors else 0


def _export(directory: Path, target: Path, t: Translator, out: TextIO, err: TextIO) -> int:
    report = export_csv(directory, target)
    if report.problems:
        _print_problems(report.problems, t, out)
        print(_say(t, EXPORT_REFUSED), file=err)
        return 1
    print(_say(t, EXPORT_DONE, entries=report.entries, rows=report.rows, file=target), file=err)
    return 0


def _import(directory: Path, source: Path, t: Translator, out: TextIO, err: TextIO) -> int:
    report = import_csv(directory, source)
    _print_problems(report.problems, t, out)
    if report.rolled_back:
        print(_say(t, IMPORT_ROLLED_BACK), file=err)
        return 1
    if not report.written:
        print(_say(t, IMPORT_REFUSED, errors=len(report.errors)), file=err)
        return 1
    if report.added:
        print(_say(t, IMPORT_ADDED, ids=", ".join(report.added)), file=err)
    if report.removed:
        print(_say(t, IMPORT_REMOVED, ids=", ".join(report.removed)), file=err)
    print(_say(t, IMPORT_DONE, entries=report.entries, warnings=report.warnings), file=err)
    return 0
