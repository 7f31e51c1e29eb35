"""Load the content directory into one validated, read-only :class:`Content`.

Every problem is reported with the file and line it comes from, in words a
ward clerk can act on. Warnings (answers still waiting for staff) never stop
the bot; errors do, and the last good content keeps serving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from content.base import LOCALES, N_, Locale
from content.entry_checks import EntryContext, check_entry, tokyo_today
from content.intake_models import ConsentText, IntakeFile, RoutingFile, check_requests
from content.milestone_models import Milestone, MilestonesFile
from content.models import (
    TO_FILL,
    CategoriesFile,
    Category,
    FaqEntry,
    FaqFile,
    OfficesFile,
    OffTopicFile,
    ScopeFile,
    SynonymsFile,
)
from content.needs_models import NeedsFile
from content.problems import Problem, Severity, validation_message
from content.sources import SourcesFile
from content.triage_models import EmergencyFile, TriageFile
from content.yaml_lines import PathKey, YamlSyntaxError, line_for, load_with_lines

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent / "data"

M = TypeVar("M", bound=BaseModel)

__all__ = ["Content", "LoadResult", "Problem", "Severity", "load_content"]

FILE_MISSING = N_("file is missing")
NOT_YAML = N_("not valid YAML ({detail}); check the indentation and the colons")
WRONG_LOCALE = N_("locale must be {locale}")
ONLY_IN_JAPANESE = N_("entry '{id}' is in Japanese but not in English")
ONLY_IN_ENGLISH = N_("entry '{id}' is in English but not in Japanese")
ID_TWICE = N_("id '{id}' is used twice")
PHONE_TO_FILL = N_("{id}: phone number still to be filled in")
HOURS_TO_FILL = N_("{id}: opening hours still to be filled in")
OFFICE_NOT_REVIEWED_NOTE = N_("{id}: not reviewed yet — {note}")
OFFICE_NOT_REVIEWED = N_("{id}: not reviewed yet — details not confirmed yet")
UNJOINED_LINES = N_("a line break between Japanese characters shows as a space here; write the"
                    " text on one line, or as a >- block")
REQUESTS_FILE_MISSING = N_("file is missing: the desk takes no requests for coordinators")
UNKNOWN_EMERGENCY_CATEGORY = N_("sign of '{id}': no such category in emergency.yaml")
EMERGENCY_NOT_REVIEWED = N_("{id}: emergency guidance not reviewed yet")
EMERGENCY_FILE_NOT_REVIEWED = N_(
    "emergency numbers and headings not reviewed yet (the poison center numbers are to be"
    " confirmed)")
UNKNOWN_POINTER = N_("pointer '{id}' is not a topic in offtopic.yaml")
PATTERN_TOO_SHORT = N_("{id}: the pattern '{pattern}' is read as '{rest}' once punctuation and"
                       " symbols are dropped, which would match almost any message")
MILESTONES_FILE_MISSING = N_("file is missing: no information for the child's age is sent")
MILESTONE_NOT_REVIEWED = N_("{id}: milestone not reviewed yet — a Chiyoda-specific detail is"
                            " still to be confirmed")
MILESTONE_NOT_REVIEWED_NOTE = N_("{id}: milestone not reviewed yet — {note}")
MILESTONE_STILL_TO_FILL = N_("{id}: marked reviewed but the text still says 【要確認】")
NEEDS_FILE_MISSING = N_("file is missing: coordinators cannot record needs and problems")
SOURCES_FILE_MISSING = N_("file is missing: no flyers can be made and the report cannot say"
                          " how families found the desk")
SOURCE_TO_CONFIRM = N_("source '{id}': its name is still to be confirmed; no flyer can be made"
                       " for it until then")
SOURCE_NOTE = N_("source '{id}': {note}")


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
    # How danger is recognised (triage.yaml) and what is then said (emergency.yaml). Always
    # loaded from files; None only in tests that build Content by hand.
    triage: TriageFile | None = None
    emergency: EmergencyFile | None = None
    # Who and where the desk is for (scope.yaml); empty lists keep every message in scope.
    scope: ScopeFile = field(default_factory=ScopeFile)
    # What a family who asked for it receives at each stage of the child's growth
    # (milestones.yaml); empty when the file is missing.
    milestones: tuple[Milestone, ...] = ()
    # The kinds of needs and problems coordinators record (needs.yaml); None without the file.
    needs: NeedsFile | None = None
    # Where the flyer is handed out (sources.yaml): the ids its links carry.
    sources: SourcesFile = field(default_factory=SourcesFile)

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

    def add(self, severity: Severity, file: str, line: int, msgid: str, **params: object) -> None:
        self.problems.append(Problem(severity, file, line, msgid, params))

    def error(self, file: str, line: int, msgid: str, **params: object) -> None:
        self.add("error", file, line, msgid, **params)

    def warn(self, file: str, line: int, msgid: str, **params: object) -> None:
        self.add("warning", file, line, msgid, **params)

    def read(self, name: str, model: type[M]) -> M | None:
        path = self.root / name
        if not path.is_file():
            self.error(name, 1, FILE_MISSING)
            return None
        self.digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        unjoined: list[PathKey] = []
        try:
            data, lines = load_with_lines(path, unjoined)
        except YamlSyntaxError as exc:
            self.error(name, exc.line, NOT_YAML, detail=exc.message)
            return None
        self.lines[name] = lines
        for where in unjoined:
            # The loader joins folded Japanese lines itself where it can be sure how; these
            # it could not, and parents would read a stray space.
            self.warn(name, line_for(lines, where), UNJOINED_LINES)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                msgid, params = validation_message(err)
                self.error(name, line_for(lines, tuple(err["loc"])), msgid, **params)
            return None

    def line(self, name: str, *loc: str | int) -> int:
        return line_for(self.lines.get(name, {}), loc)


def load_content(root: Path = DEFAULT_CONTENT_DIR, *, today: date | None = None) -> LoadResult:
    """Read and check every content file; ``today`` (Tokyo) decides which reviews are due."""
    reader = _Reader(root)
    categories = reader.read("categories.yaml", CategoriesFile)
    offices = reader.read("offices.yaml", OfficesFile)
    synonyms = reader.read("synonyms.yaml", SynonymsFile)
    offtopic = reader.read("offtopic.yaml", OffTopicFile)
    scope = reader.read("scope.yaml", ScopeFile)
    if scope is not None and offtopic is not None:
        _check_scope(reader, scope, offtopic)
    if offtopic is not None:
        _check_patterns(reader, offtopic)
    faq: dict[Locale, tuple[FaqEntry, ...]] = {}
    for locale in LOCALES:
        name = f"faq.{locale}.yaml"
        parsed = reader.read(name, FaqFile)
        if parsed is None:
            continue
        if parsed.locale != locale:
            reader.error(name, reader.line(name, "locale"), WRONG_LOCALE, locale=locale)
        faq[locale] = tuple(parsed.entries)
    if categories is not None and offices is not None:
        _cross_check(reader, faq, categories, offices, today or tokyo_today())
    consent, intake, routing = _read_requests(reader, offices)
    triage = reader.read("triage.yaml", TriageFile)
    emergency = reader.read("emergency.yaml", EmergencyFile)
    if triage is not None and emergency is not None:
        _check_emergency(reader, triage, emergency)
    milestones = _read_milestones(reader)
    needs = _read_needs(reader)
    sources = _read_sources(reader)
    ok = not any(p.severity == "error" for p in reader.problems)
    if (
        not ok or categories is None or offices is None or synonyms is None or offtopic is None
        or scope is None or triage is None or emergency is None
    ):
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
        triage=triage,
        emergency=emergency,
        scope=scope,
        milestones=milestones,
        needs=needs,
        sources=sources or SourcesFile(),
    )
    return LoadResult(content, reader.problems)


def _read_milestones(reader: _Reader) -> tuple[Milestone, ...]:
    """milestones.yaml, with the entries staff still have to confirm listed as warnings."""
    name = "milestones.yaml"
    if not (reader.root / name).is_file():
        reader.warn(name, 1, MILESTONES_FILE_MISSING)
        return ()
    parsed = reader.read(name, MilestonesFile)
    if parsed is None:
        return ()
    _unique(reader, name, [m.id for m in parsed.milestones], ("milestones",))
    for i, milestone in enumerate(parsed.milestones):
        at = reader.line(name, "milestones", i)
        texts = (milestone.title.ja, milestone.title.en, milestone.body.ja, milestone.body.en)
        if not milestone.reviewed:
            if milestone.staff_note:
                reader.warn(name, at, MILESTONE_NOT_REVIEWED_NOTE, id=milestone.id,
                            note=milestone.staff_note)
            else:
                reader.warn(name, at, MILESTONE_NOT_REVIEWED, id=milestone.id)
        elif any(TO_FILL in text for text in texts):
            reader.warn(name, at, MILESTONE_STILL_TO_FILL, id=milestone.id)
    return tuple(parsed.milestones)
def _read_needs(reader: _Reader) -> NeedsFile | None:
    name = "needs.yaml"
    if not (reader.root / name).is_file():
        reader.warn(name, 1, NEEDS_FILE_MISSING)
        return None
    needs = reader.read(name, NeedsFile)
    if needs is not None:
        _unique(reader, name, [n.id for n in needs.needs], ("needs",))
    return needs
def _read_sources(reader: _Reader) -> SourcesFile | None:
    name = "sources.yaml"
    if not (reader.root / name).is_file():
        reader.warn(name, 1, SOURCES_FILE_MISSING)
        return None
    sources = reader.read(name, SourcesFile)
    for i, source in enumerate(sources.sources if sources is not None else []):
        at = reader.line(name, "sources", i)
        if TO_FILL in source.name.ja or TO_FILL in source.name.en:
            reader.warn(name, at, SOURCE_TO_CONFIRM, id=source.id)
        if source.staff_note:
            reader.warn(name, at, SOURCE_NOTE, id=source.id, note=source.staff_note)
    return sources


def _check_emergency(reader: _Reader, triage: TriageFile, emergency: EmergencyFile) -> None:
    """Every sign has guidance to show, and staff see which texts still need a review."""
    name = "emergency.yaml"
    known = {c.id for c in emergency.categories}
    for i, sign in enumerate(triage.signs):
        if sign.category not in known:
            reader.error("triage.yaml", reader.line("triage.yaml", "signs", i),
                         UNKNOWN_EMERGENCY_CATEGORY, id=sign.category)
    _unique(reader, name, [c.id for c in emergency.categories], ("categories",))
    for i, category in enumerate(emergency.categories):
        if not category.reviewed:
            reader.warn(name, reader.line(name, "categories", i), EMERGENCY_NOT_REVIEWED,
                        id=category.id)
    texts = [emergency.heading, emergency.heading_urgent, emergency.maybe, emergency.numbers,
             emergency.poison_center, emergency.hospital, emergency.not_a_service]
    if any(TO_FILL in t.ja or TO_FILL in t.en for t in texts) or not emergency.reviewed:
        reader.warn(name, 1, EMERGENCY_FILE_NOT_REVIEWED)


def _read_requests(
    reader: _Reader, offices: OfficesFile | None
) -> tuple[dict[Locale, ConsentText], IntakeFile | None, RoutingFile | None]:
    """The consent, intake and routing files; missing ones switch requests off, with a warning."""

    def optional(name: str, model: type[M]) -> M | None:
        if (reader.root / name).is_file():
            return reader.read(name, model)
        reader.warn(name, 1, REQUESTS_FILE_MISSING)
        return None

    consent: dict[Locale, ConsentText] = {}
    for locale in LOCALES:
        text = optional(f"consent.{locale}.yaml", ConsentText)
        if text is not None:
            consent[locale] = text
    intake = optional("intake.yaml", IntakeFile)
    routing = optional("routing.yaml", RoutingFile)
    office_ids = {o.id for o in offices.offices} if offices is not None else None
    for severity, name, loc, msgid, params in check_requests(
        consent, intake, routing, office_ids
    ):
        add = reader.error if severity == "error" else reader.warn
        add(name, reader.line(name, *loc), msgid, **params)
    return consent, intake, routing


def _cross_check(
    reader: _Reader,
    faq: dict[Locale, tuple[FaqEntry, ...]],
    categories: CategoriesFile,
    offices: OfficesFile,
    today: date,
) -> None:
    category_ids = frozenset(c.id for c in categories.categories)
    office_ids = frozenset(o.id for o in offices.offices)
    _unique(reader, "categories.yaml", [c.id for c in categories.categories], ("categories",))
    _unique(reader, "offices.yaml", [o.id for o in offices.offices], ("offices",))
    ids: dict[Locale, list[str]] = {}
    for locale, entries in faq.items():
        ids[locale] = [e.id for e in entries]
        ctx = EntryContext(category_ids, frozenset(ids[locale]), office_ids, today, locale)
        _check_entries(reader, f"faq.{locale}.yaml", entries, ctx)
    if len(ids) == len(LOCALES):
        ja, en = set(ids["ja"]), set(ids["en"])
        for missing in sorted(ja - en):
            reader.error("faq.en.yaml", 1, ONLY_IN_JAPANESE, id=missing)
        for missing in sorted(en - ja):
            reader.error("faq.ja.yaml", 1, ONLY_IN_ENGLISH, id=missing)
    for i, office in enumerate(offices.offices):
        at = reader.line("offices.yaml", "offices", i)
        if office.phone in (None, TO_FILL):
            reader.warn("offices.yaml", at, PHONE_TO_FILL, id=office.id)
        if office.hours is None or TO_FILL in office.hours.ja:
            reader.warn("offices.yaml", at, HOURS_TO_FILL, id=office.id)
        if not office.reviewed:
            if office.staff_note:
                note = office.staff_note
                reader.warn("offices.yaml", at, OFFICE_NOT_REVIEWED_NOTE, id=office.id, note=note)
            else:
                reader.warn("offices.yaml", at, OFFICE_NOT_REVIEWED, id=office.id)


def _check_entries(
    reader: _Reader, name: str, entries: tuple[FaqEntry, ...], ctx: EntryContext
) -> None:
    _unique(reader, name, [e.id for e in entries], ("entries",))
    for i, entry in enumerate(entries):
        for finding in check_entry(entry, ctx):
            line = reader.line(name, "entries", i, finding.about)
            reader.add(finding.severity, name, line, finding.msgid, **finding.params)


def _check_scope(reader: _Reader, scope: ScopeFile, offtopic: OffTopicFile) -> None:
    topics = {t.id for t in offtopic.topics}
    for part, pointer in (("who", scope.who.pointer), ("where", scope.where.pointer)):
        if pointer is not None and pointer not in topics:
            line = reader.line("scope.yaml", part, "pointer")
            reader.error("scope.yaml", line, UNKNOWN_POINTER, id=pointer)


def _check_patterns(reader: _Reader, offtopic: OffTopicFile) -> None:
    """A pattern is compared after the matcher's normalising, which drops punctuation and
    symbols: 何％ is read as 何, which is in nearly every question. One kanji written as
    one (塾) keeps its meaning; one character left of more, or one kana or letter, does not."""
    # Imported here: content.matching builds on this module.
    from content.matching.normalize import is_kanji, normalize

    for i, topic in enumerate(offtopic.topics):
        for j, pattern in enumerate(topic.patterns):
            rest = normalize(pattern).replace(" ", "")
            if len(rest) > 1 or (rest and is_kanji(rest) and len(pattern.strip()) == 1):
                continue
            line = reader.line("offtopic.yaml", "topics", i, "patterns", j)
            reader.error("offtopic.yaml", line, PATTERN_TOO_SHORT, id=topic.id,
                         pattern=pattern, rest=rest)


def _unique(reader: _Reader, name: str, values: list[str], where: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            reader.error(name, reader.line(name, *where, i), ID_TWICE, id=value)
        seen.add(value)
