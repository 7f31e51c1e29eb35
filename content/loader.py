"""Load the content directory into one validated, read-only :class:`Content`.

Every problem is reported with the file and line it comes from, in words a
ward clerk can act on. Warnings (answers still waiting for staff) never stop
the bot; errors do, and the last good content keeps serving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from content.intake_models import ConsentText, IntakeFile, RoutingFile, check_requests
from content.models import (
    TO_FILL,
    CategoriesFile,
    Category,
    FaqEntry,
    FaqFile,
    OfficesFile,
    OffTopicFile,
    SynonymsFile,
)
from content.yaml_lines import PathKey, YamlSyntaxError, line_for, load_with_lines
from flows.model import LOCALES, Locale

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent / "data"

Severity = Literal["error", "warning"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    severity: Severity
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Content:
    """Everything staff maintain, validated. Read-only while the bot runs."""

    faq: dict[Locale, tuple[FaqEntry, ...]]
    categories: tuple[Category, ...]
    offices: OfficesFile
    synonyms: SynonymsFile
    offtopic: OffTopicFile
    # A hash of every file, so caches built from the content know when to rebuild.
    fingerprint: str
    _by_id: dict[Locale, dict[str, FaqEntry]] = field(default_factory=dict, repr=False)
    # Requests to coordinators (content/intake_models.py). Without consent texts in both
    # languages and an intake file, the desk takes no requests and points to the offices.
    consent: dict[Locale, ConsentText] = field(default_factory=dict)
    intake: IntakeFile | None = None
    routing: RoutingFile = field(default_factory=RoutingFile)

    @property
    def takes_requests(self) -> bool:
        return self.intake is not None and all(loc in self.consent for loc in LOCALES)

    def __post_init__(self) -> None:
        for locale, entries in self.faq.items():
            self._by_id[locale] = {e.id: e for e in entries}

    def entry(self, locale: Locale, topic: str) -> FaqEntry | None:
        return self._by_id.get(locale, {}).get(topic)

    def entries_in(self, locale: Locale, category: str) -> list[FaqEntry]:
        return [e for e in self.faq[locale] if e.category == category]

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


@dataclass
class LoadResult:
    content: Content | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.lines: dict[str, dict[PathKey, int]] = {}
        self.digest = hashlib.sha256()

    def error(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem("error", file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem("warning", file, line, message))

    def read(self, name: str, model: type[M]) -> M | None:
        path = self.root / name
        if not path.is_file():
            self.error(name, 1, "file is missing")
            return None
        self.digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            data, lines = load_with_lines(path)
        except YamlSyntaxError as exc:
            self.error(name, exc.line, f"not valid YAML: {exc.message}")
            return None
        self.lines[name] = lines
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                where = ".".join(str(p) for p in loc) or "(top)"
                self.error(name, line_for(lines, loc), f"{where}: {_plain(err)}")
            return None

    def line(self, name: str, *loc: str | int) -> int:
        return line_for(self.lines.get(name, {}), loc)


def _plain(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits and _ only"
    return str(err.get("msg", "invalid value")).removeprefix("Value error, ")


def load_content(root: Path = DEFAULT_CONTENT_DIR) -> LoadResult:
    reader = _Reader(root)
    categories = reader.read("categories.yaml", CategoriesFile)
    offices = reader.read("offices.yaml", OfficesFile)
    synonyms = reader.read("synonyms.yaml", SynonymsFile)
    offtopic = reader.read("offtopic.yaml", OffTopicFile)
    faq: dict[Locale, tuple[FaqEntry, ...]] = {}
    for locale in LOCALES:
        name = f"faq.{locale}.yaml"
        parsed = reader.read(name, FaqFile)
        if parsed is None:
            continue
        if parsed.locale != locale:
            reader.error(name, reader.line(name, "locale"), f"locale must be {locale}")
        faq[locale] = tuple(parsed.entries)
    if categories is not None and offices is not None:
        _cross_check(reader, faq, categories, offices)
    consent, intake, routing = _read_requests(reader, offices)
    ok = not any(p.severity == "error" for p in reader.problems)
    if not ok or categories is None or offices is None or synonyms is None or offtopic is None:
        return LoadResult(None, reader.problems)
    content = Content(
        faq=faq,
        categories=tuple(categories.categories),
        offices=offices,
        synonyms=synonyms,
        offtopic=offtopic,
        fingerprint=reader.digest.hexdigest()[:16],
        consent=consent,
        intake=intake,
        routing=routing or RoutingFile(),
    )
    return LoadResult(content, reader.problems)


def _read_requests(
    reader: _Reader, offices: OfficesFile | None
) -> tuple[dict[Locale, ConsentText], IntakeFile | None, RoutingFile | None]:
    """The consent, intake and routing files; missing ones switch requests off, with a warning."""

    def optional(name: str, model: type[M]) -> M | None:
        if (reader.root / name).is_file():
            return reader.read(name, model)
        reader.warn(name, 1, "file is missing: the desk takes no requests for coordinators")
        return None

    consent: dict[Locale, ConsentText] = {}
    for locale in LOCALES:
        text = optional(f"consent.{locale}.yaml", ConsentText)
        if text is not None:
            consent[locale] = text
    intake = optional("intake.yaml", IntakeFile)
    routing = optional("routing.yaml", RoutingFile)
    office_ids = {o.id for o in offices.offices} if offices is not None else None
    for severity, name, loc, message in check_requests(consent, intake, routing, office_ids):
        add = reader.error if severity == "error" else reader.warn
        add(name, reader.line(name, *loc), message)
    return consent, intake, routing


def _cross_check(
    reader: _Reader,
    faq: dict[Locale, tuple[FaqEntry, ...]],
    categories: CategoriesFile,
    offices: OfficesFile,
) -> None:
    category_ids = {c.id for c in categories.categories}
    _unique(reader, "categories.yaml", [c.id for c in categories.categories], ("categories",))
    _unique(reader, "offices.yaml", [o.id for o in offices.offices], ("offices",))
    ids: dict[Locale, list[str]] = {}
    for locale, entries in faq.items():
        ids[locale] = [e.id for e in entries]
        _check_entries(reader, f"faq.{locale}.yaml", entries, category_ids)
    if len(ids) == len(LOCALES):
        ja, en = set(ids["ja"]), set(ids["en"])
        for missing in sorted(ja - en):
            reader.error("faq.en.yaml", 1, f"entry {missing!r} is in Japanese but not in English")
        for missing in sorted(en - ja):
            reader.error("faq.ja.yaml", 1, f"entry {missing!r} is in English but not in Japanese")
    for i, office in enumerate(offices.offices):
        at = reader.line("offices.yaml", "offices", i)
        if office.phone in (None, TO_FILL):
            reader.warn("offices.yaml", at, f"{office.id}: phone number still to be filled in")
        if office.hours is None or TO_FILL in office.hours.ja:
            reader.warn("offices.yaml", at, f"{office.id}: opening hours still to be filled in")
        if not office.reviewed:
            note = office.staff_note or "details not confirmed yet"
            reader.warn("offices.yaml", at, f"{office.id}: not reviewed yet — {note}")


def _check_entries(
    reader: _Reader, name: str, entries: tuple[FaqEntry, ...], category_ids: set[str]
) -> None:
    _unique(reader, name, [e.id for e in entries], ("entries",))
    known = {e.id for e in entries}
    for i, entry in enumerate(entries):
        line = reader.line(name, "entries", i, "id")
        if entry.category not in category_ids:
            reader.error(name, line, f"{entry.id}: unknown category {entry.category!r}")
        for other in entry.see_also:
            if other not in known:
                reader.error(name, line, f"{entry.id}: see_also names unknown {other!r}")
        if not entry.reviewed or TO_FILL in entry.answer:
            note = entry.staff_note or "answer still needs a Chiyoda-specific detail"
            reader.warn(name, line, f"{entry.id}: not reviewed yet — {note}")


def _unique(reader: _Reader, name: str, values: list[str], where: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            reader.error(name, reader.line(name, *where, i), f"id {value!r} is used twice")
        seen.add(value)
