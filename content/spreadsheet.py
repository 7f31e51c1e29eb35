"""The FAQ as a spreadsheet: export to a CSV that Excel opens, import it back.

One row per entry and language, in the order of the files. Lists sit inside one
cell: alternates one per line; keywords one per line or separated by 、 or commas;
see_also ids separated by commas. The file is UTF-8 with a byte order mark and
CRLF line ends, which is what Excel expects ("CSV UTF-8").

Import changes nothing unless every row is valid and the whole content still
passes the check afterwards; otherwise the previous files are put back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from content.base import LOCALES, N_, Locale
from content.entry_checks import EntryContext, check_entry, tokyo_today
from content.faq_files import leading_comments, parses_back, render_faq, replace_files, restore
from content.loader import (
    FILE_MISSING,
    NOT_YAML,
    ONLY_IN_ENGLISH,
    ONLY_IN_JAPANESE,
    load_content,
)
from content.models import CategoriesFile, FaqEntry, FaqFile, OfficesFile
from content.problems import Problem, validation_message
from content.yaml_lines import YamlSyntaxError, line_for, load_with_lines

M = TypeVar("M", bound=BaseModel)

COLUMNS: tuple[str, ...] = (
    "id",
    "locale",
    "category",
    "question",
    "title",
    "alternates",
    "keywords",
    "answer",
    "reviewed",
    "staff_note",
    "see_also",
    "owner_office",
    "source_url",
    "last_reviewed",
    "review_by",
)

# Columns added since the first exports; their cells are empty in older files.
OPTIONAL_COLUMNS = frozenset({"title"})

NOT_UTF8 = N_("the file is not UTF-8 text; in Excel save it as “CSV UTF-8 (Comma delimited)”")
NO_HEADER = N_("the file is empty; the first row must name the columns")
MISSING_COLUMN = N_("column '{column}' is missing from the first row")
UNKNOWN_COLUMN = N_("column '{column}' is not a column tsunagu knows (check the spelling)")
EXTRA_CELLS = N_("this row has more cells than there are columns")
NO_ROWS = N_("the spreadsheet has no entries")
ROW_TWICE = N_("id '{id}' appears twice for locale {locale}")
FILE_HAS_ERRORS = N_("{file} has errors; fix them first (tsunagu content check)")

# Excel runs a cell that starts with one of these as a formula. Export puts an
# apostrophe in front (Excel shows it as text) and import takes it off again.
_FORMULA_START = ("=", "+", "-", "@")
_KEYWORD_SEPARATORS = re.compile(r"[、，,]")
_ID_SEPARATORS = re.compile(r"[\s、，,]+")
# Excel saves dates in the format of the computer, e.g. 2026/4/1 on a Japanese one.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TRUE = {"true", "yes", "1", "はい", "○"}
_FALSE = {"false", "no", "0", "いいえ", "×"}


@dataclass
class ExportReport:
    problems: list[Problem]
    rows: int = 0
    entries: int = 0


@dataclass
class ImportReport:
    # Row problems (nothing changed), or the content check's errors (rolled back).
    problems: list[Problem]
    written: bool = False
    rolled_back: bool = False
    entries: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# --- export -------------------------------------------------------------------------


def export_csv(root: Path, target: Path) -> ExportReport:
    faq: dict[Locale, list[FaqEntry]] = {}
    problems: list[Problem] = []
    for locale in LOCALES:
        name = f"faq.{locale}.yaml"
        if not (root / name).is_file():
            continue
        parsed, found = _read(root, name, FaqFile)
        problems += found
        if parsed is not None:
            faq[locale] = list(parsed.entries)
    if problems:
        return ExportReport(problems)
    rows = [_row(entry, locale) for entry, locale in _export_order(faq)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([row[c] for c in COLUMNS] for row in rows)
    # The byte order mark makes Excel read the file as UTF-8 rather than Shift_JIS.
    replace_files({target: "\ufeff" + buffer.getvalue()})
    return ExportReport([], rows=len(rows), entries=len({row["id"] for row in rows}))


def _export_order(faq: Mapping[Locale, list[FaqEntry]]) -> Iterator[tuple[FaqEntry, Locale]]:
    # Each entry's Japanese row and then its English row, so translators see them together.
    by_id = {locale: {e.id: e for e in entries} for locale, entries in faq.items()}
    ids: list[str] = []
    for locale in LOCALES:
        ids += [e.id for e in faq.get(locale, []) if e.id not in ids]
    for entry_id in ids:
        for locale in LOCALES:
            entry = by_id.get(locale, {}).get(entry_id)
            if entry is not None:
                yield entry, locale


def _row(entry: FaqEntry, locale: Locale) -> dict[str, str]:
    keywords = entry.keywords
    if any(_KEYWORD_SEPARATORS.search(k) for k in keywords):
        # One per line; a trailing line break keeps a single keyword from being split.
        keyword_cell = "\n".join(keywords) + ("\n" if len(keywords) == 1 else "")
    else:
        keyword_cell = ("、" if locale == "ja" else ", ").join(keywords)
    cells = {
        "id": entry.id,
        "locale": locale,
        "category": entry.category,
        "question": entry.question,
        "title": entry.title or "",
        "alternates": "\n".join(entry.alternates),
        "keywords": keyword_cell,
        "answer": entry.answer,
        "reviewed": "TRUE" if entry.reviewed else "FALSE",
        "staff_note": entry.staff_note or "",
        "see_also": ", ".join(entry.see_also),
        "owner_office": entry.owner_office or "",
        "source_url": entry.source_url or "",
        "last_reviewed": entry.last_reviewed.isoformat() if entry.last_reviewed else "",
        "review_by": entry.review_by.isoformat() if entry.review_by else "",
    }
    return {name: _protect(value) for name, value in cells.items()}


def _protect(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# --- import -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    number: int  # as Excel shows it: the header is row 1
    locale: Locale
    entry: FaqEntry


def import_csv(root: Path, source: Path, *, today: date | None = None) -> ImportReport:
    name = source.name
    rows, problems = _parse_rows(source)
    context, found = _context(root)
    problems += found
    if not problems:
        problems += _cross_check(rows, context, today or tokyo_today(), name)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return ImportReport(errors)
    if not rows:
        return ImportReport([Problem("error", name, 2, NO_ROWS)])

    faq: dict[Locale, list[FaqEntry]] = {locale: [] for locale in LOCALES}
    for row in rows:
        faq[row.locale].append(row.entry)
    before_ids = _current_ids(root)
    texts: dict[Path, str] = {}
    for locale in LOCALES:
        path = root / f"faq.{locale}.yaml"
        text = render_faq(locale, faq[locale], leading_comments(path))
        if not parses_back(text, FaqFile(locale=locale, entries=faq[locale])):
            raise RuntimeError(f"faq.{locale}.yaml would not load back as imported")
        texts[path] = text

    previous = replace_files(texts)
    result = load_content(root, today=today)
    if result.errors:
        restore(previous)
        return ImportReport(result.errors, rolled_back=True)
    new_ids = [e.id for e in faq["ja"]]
    return ImportReport(
        [],
        written=True,
        entries=len(new_ids),
        added=[i for i in new_ids if i not in before_ids],
        removed=[i for i in before_ids if i not in new_ids],
        warnings=len(result.warnings),
    )


def _parse_rows(source: Path) -> tuple[list[_Row], list[Problem]]:
    name = source.name
    if not source.is_file():
        return [], [Problem("error", name, 1, FILE_MISSING)]
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem("error", name, 1, NOT_UTF8)]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], [Problem("error", name, 1, NO_HEADER)]
    columns = [cell.strip().lower() for cell in header]
    problems = [
        Problem("error", name, 1, UNKNOWN_COLUMN, {"column": c})
        for c in columns
        if c and c not in COLUMNS
    ]
    # A spreadsheet exported before titles existed is still read: no title, no error.
    missing = [c for c in COLUMNS if c not in columns and c not in OPTIONAL_COLUMNS]
    problems += [Problem("error", name, 1, MISSING_COLUMN, {"column": c}) for c in missing]
    if problems:
        return [], problems
    rows: list[_Row] = []
    for number, cells in enumerate(reader, start=2):
        cells = [_unprotect(_plain_newlines(c)) for c in cells]
        if not any(c.strip() for c in cells):
            continue  # Excel keeps blank rows staff left between entries
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            problems.append(Problem("error", name, number, EXTRA_CELLS))
            continue
        values = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
        row, found = _entry_from_cells(values, name, number)
        problems += found
        if row is not None:
            rows.append(row)
    return rows, problems


def _entry_from_cells(
    values: Mapping[str, str], name: str, number: int
) -> tuple[_Row | None, list[Problem]]:
    def cell(column: str) -> str:
        return values.get(column, "").strip()

    def optional(column: str) -> str | None:
        return cell(column) or None

    data: dict[str, Any] = {
        "id": cell("id"),
        "category": cell("category"),
        "question": cell("question"),
        "title": optional("title"),
        "alternates": _lines(values.get("alternates", "")),
        "keywords": _keywords(values.get("keywords", "")),
        "answer": values.get("answer", ""),
        "reviewed": _boolean(cell("reviewed")),
        "staff_note": optional("staff_note"),
        "see_also": [i for i in _ID_SEPARATORS.split(cell("see_also")) if i],
        "owner_office": optional("owner_office"),
        "source_url": optional("source_url"),
        "last_reviewed": _date(optional("last_reviewed")),
        "review_by": _date(optional("review_by")),
    }
    problems: list[Problem] = []
    locale = _locale(cell("locale"))
    if locale is None:
        msgid, params = validation_message(
            {"loc": ("locale",), "type": "literal_error", "ctx": {"expected": "ja, en"}}
        )
        problems.append(Problem("error", name, number, msgid, params))
    try:
        entry = FaqEntry.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            msgid, params = validation_message(err)
            problems.append(Problem("error", name, number, msgid, params))
        return None, problems
    if locale is None:
        return None, problems
    return _Row(number, locale, entry), []


def _locale(cell: str) -> Locale | None:
    lowered = cell.lower()
    return next((locale for locale in LOCALES if locale == lowered), None)


def _plain_newlines(cell: str) -> str:
    return cell.replace("\r\n", "\n").replace("\r", "\n")


def _unprotect(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.split("\n") if line.strip()]


def _keywords(cell: str) -> list[str]:
    # With line breaks in the cell each line is one keyword (it may contain a comma);
    # on a single line, 、 and commas separate them.
    parts = cell.split("\n") if "\n" in cell else _KEYWORD_SEPARATORS.split(cell)
    return [p.strip() for p in parts if p.strip()]


def _boolean(cell: str) -> bool | str:
    lowered = cell.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return cell  # left for the model to reject with its own message


def _date(cell: str | None) -> str | None:
    if cell is None:
        return None
    match = _DATE.match(cell)
    if match is None:
        return cell  # left for the model to reject
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass(frozen=True)
class _Context:
    category_ids: frozenset[str]
    office_ids: frozenset[str]


def _context(root: Path) -> tuple[_Context, list[Problem]]:
    categories, problems = _read(root, "categories.yaml", CategoriesFile)
    offices, found = _read(root, "offices.yaml", OfficesFile)
    problems += found
    if problems:
        # One line per broken file is enough here; `content check` has the details.
        files = sorted({p.file for p in problems})
        problems = [Problem("error", f, 1, FILE_HAS_ERRORS, {"file": f}) for f in files]
    return (
        _Context(
            frozenset(c.id for c in categories.categories) if categories else frozenset(),
            frozenset(o.id for o in offices.offices) if offices else frozenset(),
        ),
        problems,
    )


def _cross_check(rows: list[_Row], context: _Context, today: date, name: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, Locale], int] = {}
    ids: dict[Locale, set[str]] = {locale: set() for locale in LOCALES}
    for row in rows:
        key = (row.entry.id, row.locale)
        if key in seen:
            params = {"id": row.entry.id, "locale": row.locale}
            problems.append(Problem("error", name, row.number, ROW_TWICE, params))
        seen.setdefault(key, row.number)
        ids[row.locale].add(row.entry.id)
    for row in rows:
        other: Locale = "en" if row.locale == "ja" else "ja"
        if row.entry.id not in ids[other]:
            msgid = ONLY_IN_JAPANESE if row.locale == "ja" else ONLY_IN_ENGLISH
            problems.append(Problem("error", name, row.number, msgid, {"id": row.entry.id}))
        ctx = EntryContext(
            context.category_ids, frozenset(ids[row.locale]), context.office_ids, today,
            row.locale,
        )
        for finding in check_entry(row.entry, ctx):
            problems.append(
                Problem(finding.severity, name, row.number, finding.msgid, finding.params)
            )
    return problems


def _current_ids(root: Path) -> list[str]:
    path = root / "faq.ja.yaml"
    if not path.is_file():
        return []
    parsed, _ = _read(root, "faq.ja.yaml", FaqFile)
    return [e.id for e in parsed.entries] if parsed else []


def _read(root: Path, name: str, model: type[M]) -> tuple[M | None, list[Problem]]:
    path = root / name
    if not path.is_file():
        return None, [Problem("error", name, 1, FILE_MISSING)]
    try:
        data, lines = load_with_lines(path)
    except YamlSyntaxError as exc:
        return None, [Problem("error", name, exc.line, NOT_YAML, {"detail": exc.message})]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msgid, params = validation_message(err)
            line = line_for(lines, tuple(err["loc"]))
            problems.append(Problem("error", name, line, msgid, params))
        return None, problems
