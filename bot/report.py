"""The support council's report: Markdown, a CSV for Excel, and PNG charts.

The ward memo asks the coordinators to draw out the needs and problems seen in
individual cases and to follow whether they were solved; this turns the tickets, the
answers shown and the unanswered questions of a period into that picture.

No family may be recognisable from it. Every count of 1 or 2 is printed as "<3" (0
stays 0), in the Markdown, the CSV and the charts alike. Where a section's counts add
up to a published total, one hidden count could be worked out by subtraction, so
another count is hidden as well ("*") until the hidden ones cannot be told apart.
Unanswered questions appear only as themes asked at least 3 times, with digits masked.
The table of outcomes by office applies the same rule to each outcome's column, whose
total the outcomes section prints. Needs are counted by kind and by status separately (and
those for the council by kind): a table crossing two published totals could give a hidden
count away through its rows and columns together.

The internal notes coordinators write on needs never reach the report: only the codes and
their status are counted. Charts are drawn with the Japanese font that the
matplotlib-fontja package ships, so they read the same on any computer.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from content.base import N_, Locale, Translator, in_tokyo
from content.faq_files import replace_files
from content.gaps import group_questions
from content.loader import Content
from flows.age_bands import LABELS as AGE_BAND_LABELS
from flows.age_bands import NOT_RECORDED
from flows.ports import Translations
from flows.tickets import STATUS_LABELS
from storage.reports import ReportFigures, median

SMALL = 3
HIDDEN = "<3"
ALSO_HIDDEN = "*"
TOP_TOPICS = 10
ARRIVALS = "arrivals"
TOP_THEMES = 10
THEME_CHARS = 40
_DIGITS = re.compile(r"[0-9０-９]+")

# The bands the coordinators' group shows too (flows/age_bands.py), then the deleted ones.
AGE_LABELS = {**AGE_BAND_LABELS, NOT_RECORDED: N_("Not recorded (details deleted)")}
# The outcome codes the coordinators' desk records when it closes a ticket.
OUTCOME_LABELS = {
    "resolved": N_("Resolved"),
    "referred": N_("Referred to another service"),
    "unreachable": N_("Family could not be reached"),
    "other": N_("Other"),
}
# The needs' statuses, in the order they go (flows/desk/needs.py has the desk's wording).
NEED_STATUS_LABELS = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "beyond_ward": N_("Beyond the ward (for the council)"),
}


def shown(count: int) -> str:
    if count == 0:
        return "0"
    return HIDDEN if count < SMALL else str(count)


def protect(counts: Sequence[int], *, adds_up: bool) -> list[str]:
    """Each count as printed. With ``adds_up`` (the counts sum to a published total),
    further counts are hidden until no hidden small count can be deduced from the rest."""
    printed = [shown(c) for c in counts]
    if not adds_up:
        return printed
    while True:
        small = [i for i, p in enumerate(printed) if p == HIDDEN]
        extra = [i for i, p in enumerate(printed) if p == ALSO_HIDDEN]
        if not small or _ambiguous(counts, small, extra):
            return printed
        candidates = [i for i, p in enumerate(printed) if p not in (HIDDEN, ALSO_HIDDEN, "0")]
        if not candidates:
            return printed
        printed[min(candidates, key=lambda i: counts[i])] = ALSO_HIDDEN


def _ambiguous(counts: Sequence[int], small: list[int], extra: list[int]) -> bool:
    """Whether every hidden small count could be 1 or 2, given only the hidden sum."""
    total = sum(counts[i] for i in small) + sum(counts[i] for i in extra)
    others_small = len(small) - 1
    for value in (1, 2):
        rest = total - value
        # The other small counts are 1..2 each; the also-hidden ones are 3 or more.
        low = others_small + SMALL * len(extra)
        high = None if extra else 2 * others_small
        if rest < low or (high is not None and rest > high):
            return False
    return True


def protect_grid(grid: Sequence[Sequence[int]], row_totals: Sequence[str] | None = None,
                 column_totals: Sequence[str] | None = None) -> list[list[str]]:
    """Each cell of a table as printed. A row (column) whose totals are printed elsewhere
    (``row_totals``, ``column_totals``, one per row or column, as printed there) is treated
    like a list that adds up (``protect`` with ``adds_up``); where such a total is itself
    hidden, a cell of it is hidden as well, so the total cannot be read off the cells."""
    printed = [[shown(c) for c in row] for row in grid]
    rows = len(grid)
    columns = len(grid[0]) if rows else 0
    lines: list[list[tuple[int, int]]] = []
    totals: list[str] = []
    if row_totals is not None:
        lines += [[(r, c) for c in range(columns)] for r in range(rows)]
        totals += row_totals
    if column_totals is not None:
        lines += [[(r, c) for r in range(rows)] for c in range(columns)]
        totals += column_totals
    changed = True
    while changed:
        changed = False
        for line, total in zip(lines, totals, strict=True):
            counts = [grid[r][c] for r, c in line]
            marks = [printed[r][c] for r, c in line]
            small = [i for i, m in enumerate(marks) if m == HIDDEN]
            extra = [i for i, m in enumerate(marks) if m == ALSO_HIDDEN]
            hidden_total = total in (HIDDEN, ALSO_HIDDEN) and not small and not extra
            if not hidden_total and (not small or _ambiguous(counts, small, extra)):
                continue
            candidates = [i for i, m in enumerate(marks) if m not in (HIDDEN, ALSO_HIDDEN, "0")]
            if candidates:
                r, c = line[min(candidates, key=lambda i: counts[i])]
                printed[r][c] = ALSO_HIDDEN
                changed = True
    return printed


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    printed: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]
    note: str = ""


@dataclass(frozen=True)
class Grid:
    """A table crossing two things, each row and column a (key, label), and its cells."""

    key: str
    title: str
    rows: tuple[tuple[str, str], ...]  # (key, label)
    columns: tuple[tuple[str, str], ...]
    printed: tuple[tuple[str, ...], ...]
    note: str = ""


class ReportText:
    """The report's sections with labels in one language."""

    def __init__(self, figures: ReportFigures, content: Content, t: Translator) -> None:
        self.figures = figures
        self.content = content
        self.t = t
        self.locale: Locale = t.locale

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def _section(self, key: str, title: str, counts: Counter[str], labels: dict[str, str],
                 *, adds_up: bool, order: Sequence[str] = (), note: str = "") -> Section:
        keys = [k for k in order if counts.get(k)] + sorted(
            (k for k in counts if k not in order and counts[k]), key=lambda k: -counts[k]
        )
        printed = protect([counts[k] for k in keys], adds_up=adds_up)
        rows = tuple(
            Row(k, labels.get(k, k), counts[k], p) for k, p in zip(keys, printed, strict=True)
        )
        return Section(key, title, rows, note)

    def ticket_sections(self) -> list[Section]:
        _ = self._
        tickets = self.figures.tickets
        content = self.content
        offices = {o.id: o.name.get(self.locale) for o in content.offices.offices}
        intake = content.intake
        needs = {o.id: o.label.get(self.locale) for o in intake.help_options} if intake else {}
        care = {o.id: o.label.get(self.locale) for o in intake.care_types} if intake else {}
        not_recorded = {NOT_RECORDED: _(AGE_LABELS[NOT_RECORDED])}
        statuses = {k: _(v) for k, v in STATUS_LABELS.items()}
        several = _("A request may name several, so these add up to more than the requests.")
        sections = [
            self._section("office", _("Requests by office"), tickets.by_office, offices,
                          adds_up=True, order=list(offices)),
            self._section("need", _("Requests by help wanted"), tickets.by_need,
                          {**needs, **not_recorded}, adds_up=False, order=list(needs),
                          note=several),
            self._section("care", _("Requests by medical care"), tickets.by_care,
                          {**care, **not_recorded}, adds_up=False, order=list(care),
                          note=several),
            self._section("age", _("Requests by age of the child"), tickets.by_age_band,
                          {k: _(v) for k, v in AGE_LABELS.items()}, adds_up=True,
                          order=list(AGE_LABELS)),
            self._section("status", _("Requests by status today"), tickets.by_status, statuses,
                          adds_up=True, order=list(STATUS_LABELS)),
        ]
        if tickets.by_outcome is not None:
            outcomes = {k: _(v) for k, v in OUTCOME_LABELS.items()}
            sections.append(self._section("outcome", _("Outcomes of closed requests"),
                                          tickets.by_outcome, outcomes, adds_up=False,
                                          order=list(OUTCOME_LABELS)))
        return sections

    def topic_section(self) -> Section:
        views = self.figures.faq_views
        labels = {}
        for topic in views:
            entry = self.content.entry(self.locale, topic)
            labels[topic] = entry.question if entry else topic
        top = Counter(dict(views.most_common(TOP_TOPICS)))
        return self._section("faq", self._("Most asked FAQ topics (answers shown)"), top,
                             labels, adds_up=False)

    def theme_section(self) -> Section:
        groups = group_questions(self.figures.unanswered)
        counts: Counter[str] = Counter()
        labels: dict[str, str] = {}
        other = 0
        for number, group in enumerate(groups, start=1):
            if group.count < SMALL or len(counts) >= TOP_THEMES:
                other += group.count
                continue
            key = f"theme_{number}"
            counts[key] = group.count
            text = _DIGITS.sub("#", " ".join(group.representative.text.split()))
            labels[key] = text if len(text) <= THEME_CHARS else text[: THEME_CHARS - 1] + "…"
        order = list(counts)
        if other:
            counts["other"] = other
            labels["other"] = self._("Other questions (themes asked fewer than 3 times)")
            order.append("other")
        return self._section("unanswered", self._("Main unanswered themes"), counts, labels,
                             adds_up=False, order=order)

    def need_labels(self) -> dict[str, str]:
        kinds = self.content.needs
        return {n.id: n.label.get(self.locale) for n in kinds.needs} if kinds else {}

    def need_sections(self) -> list[Section]:
        """The needs and problems by kind, by status, and those for the council."""
        _ = self._
        needs = self.figures.needs
        labels = self.need_labels()
        statuses = {k: _(v) for k, v in NEED_STATUS_LABELS.items()}
        council = Counter({code: count for (code, status), count in needs.by_code_status.items()
                           if status == "beyond_ward"})
        return [
            self._section("needs", _("Needs and problems by kind"), needs.by_code, labels,
                          adds_up=True, order=list(labels)),
            self._section("need_status", _("Needs and problems by status today"),
                          needs.by_status, statuses, adds_up=True,
                          order=list(NEED_STATUS_LABELS)),
            self._section("council", _("For the support council: beyond what the ward can"
                                       " solve"), council, labels, adds_up=True,
                          order=list(labels)),
        ]

    def family_sections(self) -> list[Section]:
        _ = self._
        families = self.figures.families
        intake = self.content.intake
        care = {o.id: o.label.get(self.locale) for o in intake.care_types} if intake else {}
        ages = {**{k: _(v) for k, v in AGE_BAND_LABELS.items()}, NOT_RECORDED: _("Not recorded")}
        return [
            self._section("families_age", _("Families known by age of the child"),
                          families.by_age_band, ages,
                          adds_up=True, order=list(AGE_LABELS)),
            self._section("families_care", _("Families known by medical care"),
                          families.by_care, care, adds_up=False, order=list(care),
                          note=_("A child may need several kinds of care, so these add up to"
                                 " more than the families.")),
        ]

    def _grid(self, key: str, title: str, cells: Counter[tuple[str, str]],
              rows: Sequence[tuple[str, str]], columns: Sequence[tuple[str, str]],
              row_totals: Section | None, column_totals: Section | None,
              note: str = "") -> Grid:
        """Only the rows and columns with something in them; known keys in their order."""
        row_keys = {r for r, _c in cells if cells[(r, _c)]}
        column_keys = {c for _r, c in cells if cells[(_r, c)]}
        rows = [r for r in rows if r[0] in row_keys] + [
            (k, k) for k in sorted(row_keys - {r[0] for r in rows})]
        columns = [c for c in columns if c[0] in column_keys] + [
            (k, k) for k in sorted(column_keys - {c[0] for c in columns})]
        grid = [[cells[(r, c)] for c, _l in columns] for r, _l in rows]

        def totals(section: Section | None, keys: Sequence[tuple[str, str]]) -> list[str] | None:
            if section is None:
                return None
            printed = {row.key: row.printed for row in section.rows}
            return [printed.get(k, "") for k, _l in keys]

        printed = protect_grid(grid, totals(row_totals, rows), totals(column_totals, columns))
        return Grid(key, title, tuple(rows), tuple(columns),
                    tuple(tuple(row) for row in printed), note)

    def grids(self, sections: Sequence[Section]) -> list[Grid]:
        """The outcomes of closed requests by office. Only the columns' totals (the outcomes)
        are printed elsewhere, so each column is protected on its own, like a section."""
        if self.figures.tickets.by_outcome is None:
            return []
        _ = self._
        by_key = {s.key: s for s in sections}
        offices = [(o.id, o.name.get(self.locale)) for o in self.content.offices.offices]
        outcomes = [(k, _(v)) for k, v in OUTCOME_LABELS.items()]
        return [self._grid("outcome_by_office", _("Outcomes of closed requests by office"),
                           self.figures.tickets.outcome_by_office, offices, outcomes, None,
                           by_key.get("outcome"))]

    def times(self) -> list[tuple[str, str, str]]:
        """(key, label, printed median) for time to claim and time to close."""
        _ = self._
        tickets = self.figures.tickets
        rows = []
        for key, label, hours in (
            ("hours_to_claim", _("Median time to claim (hours)"), tickets.hours_to_claim),
            ("hours_to_close", _("Median time to close (hours)"), tickets.hours_to_close),
        ):
            if hours is None:
                rows.append((key, label, _("not recorded yet")))
            elif len(hours) < SMALL:
                # A median of one or two requests would be that family's own time.
                rows.append((key, label, _("fewer than 3 requests")))
            else:
                value = median(hours)
                rows.append((key, label, f"{value:.1f}" if value is not None else "—"))
        return rows


def arrival_section(text: ReportText) -> Section:
    """Families each flyer's source brought (first contacts through its QR code)."""
    names = {s.id: s.name.get(text.locale) for s in text.content.sources.sources}
    return text._section(ARRIVALS, text._("Families who came through a flyer, by where it was"
                                          " handed out"),
                         text.figures.arrivals, names, adds_up=False, order=list(names))


def arrival_lines(text: ReportText, sections: list[Section]) -> list[str]:
    section = next((s for s in sections if s.key == ARRIVALS), None)
    if section is None:
        return []
    note = text._("A family is counted once, on its first contact through a flyer's QR code; "
                  "families who found the desk another way are not counted here.")
    return ["", "## " + text._("How families found the desk"),
            *_table(text, section, None), "", note]


# --- writing ------------------------------------------------------------------------------


@dataclass
class Written:
    markdown: Path
    csv: Path
    charts: list[Path]
    chart_language: Locale


def write_report(
    figures: ReportFigures, content: Content, out_dir: Path, translations: Translations,
    locale: Locale,
) -> Written:
    """Write ``report-FROM-TO.md``, ``.csv`` and ``report-FROM-TO-SECTION.png`` charts, all
    in ``locale``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = ReportText(figures, content, translations.for_locale(locale))
    first, last = _period(figures)
    stem = f"report-{first}-{last}"
    sections = [*text.ticket_sections(), *text.need_sections(), *text.family_sections(),
                text.topic_section(), text.theme_section(), arrival_section(text)]
    grids = text.grids(sections)
    charts = draw_charts(text, sections, out_dir, stem, japanese_font())
    markdown = out_dir / f"{stem}.md"
    table = out_dir / f"{stem}.csv"
    replace_files({
        markdown: render_markdown(text, sections, grids, charts),
        table: render_csv(text, sections, grids),
    })
    return Written(markdown, table, charts, locale)


def _period(figures: ReportFigures) -> tuple[str, str]:
    first = in_tokyo(figures.start).date()
    last = (in_tokyo(figures.end) - timedelta(seconds=1)).date()
    return first.isoformat(), last.isoformat()


def _header(*cells: str) -> list[str]:
    """A Markdown table's header: the first column left, the counts right-aligned."""
    return ["| " + " | ".join(_md(c) for c in cells) + " |",
            "| --- |" + " ---: |" * (len(cells) - 1)]


def _table(text: ReportText, section: Section, chart: Path | None) -> list[str]:
    _ = text._
    lines = ["", "### " + section.title, ""]
    if not section.rows:
        return [*lines, _("None in this period.")]
    if section.note:
        lines += [section.note, ""]
    lines += _header(_("Item"), _("Count"))
    lines += [f"| {_md(r.label)} | {r.printed} |" for r in section.rows]
    if chart is not None:
        lines += ["", f"![{_md(section.title)}]({chart.name})"]
    return lines


def _grid_table(text: ReportText, grid: Grid) -> list[str]:
    lines = ["", "### " + grid.title, ""]
    if not grid.rows:
        return [*lines, text._("None in this period.")]
    if grid.note:
        lines += [grid.note, ""]
    lines += _header(text._("Item"), *(label for _key, label in grid.columns))
    for (_key, label), printed in zip(grid.rows, grid.printed, strict=True):
        lines.append("| " + " | ".join([_md(label), *printed]) + " |")
    return lines


def render_markdown(text: ReportText, sections: list[Section], grids: list[Grid],
                    charts: list[Path]) -> str:
    _ = text._
    first, last = _period(text.figures)
    tickets = text.figures.tickets
    by_key = {p.stem.rsplit("-", 1)[-1]: p for p in charts}
    sections_by_key = {s.key: s for s in sections}
    grids_by_key = {g.key: g for g in grids}
    lines = [
        "# " + _("tsunagu: report for the support council"),
        "",
        _("Period: {first} to {last} (Tokyo time).").format(first=first, last=last),
        "",
        _("Counts of 1 or 2 are shown as “<3” so that no family can be recognised; “*” marks a"
          " count hidden as well, so that a small count cannot be worked out from the total."),
        "",
        "## " + _("Requests to the coordinators"),
        "",
        _("Requests made in the period: {count}").format(count=shown(tickets.total)),
    ]
    if tickets.without_details:
        lines += ["", _("Of these, {count} no longer have their details (withdrawn, or past the"
                        " retention period): their help wanted, care and age are not recorded.")
                  .format(count=shown(tickets.without_details))]
    for key in ("office", "need", "care", "age", "status", "outcome"):
        if key in sections_by_key:
            lines += _table(text, sections_by_key[key], by_key.get(key))
    if tickets.by_outcome is None:
        lines += ["", "### " + _("Outcomes of closed requests"), "",
                  _("Outcomes are not recorded yet; the status above shows which requests are"
                    " closed.")]
    elif "outcome_by_office" in grids_by_key:
        lines += _grid_table(text, grids_by_key["outcome_by_office"])
    lines += ["", "### " + _("Time"), "", *_header("", _("Median"))]
    lines += [f"| {label} | {value} |" for _key, label, value in text.times()]

    needs = text.figures.needs
    lines += [
        "", "## " + _("Needs and problems found through individual support"), "",
        _("What the coordinators recorded while supporting the families who asked in the"
          " period, with the status today. Internal notes are never part of this report."),
        "",
        _("Needs and problems recorded: {count}").format(count=shown(needs.total)),
    ]
    if needs.total:
        resolved = needs.by_status.get("resolved", 0)
        lines += ["", _("Resolved: {resolved} of {count}.").format(
            resolved=shown(resolved), count=shown(needs.total))]
    for key in ("needs", "need_status"):
        lines += _table(text, sections_by_key[key], by_key.get(key))
    lines += _table(text, sections_by_key["council"], by_key.get("council"))

    families = text.figures.families
    lines += [
        "", "## " + _("Families known to the desk"), "",
        _("Families whose details the desk holds on {last}, each counted once by their latest"
          " request; families who withdrew are not included.").format(last=last),
        "",
        _("Families known: {count}").format(count=shown(families.total)),
    ]
    for key in ("families_age", "families_care"):
        lines += _table(text, sections_by_key[key], by_key.get(key))

    lines += ["", "## " + _("Questions from parents")]
    for key in ("faq", "unanswered"):
        lines += _table(text, sections_by_key[key], by_key.get(key))
    lines += ["", _("Unanswered questions are grouped by similar wording; digits are masked"
                    " and themes asked fewer than 3 times are counted together.")]
    lines += arrival_lines(text, sections)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_csv(text: ReportText, sections: list[Section], grids: list[Grid]) -> str:
    """One row per figure: the section and item as a person reads them, the value, then the
    codes for anyone who sorts or joins the file."""
    _ = text._
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Section"), _("Item"), _("Value"), _("Section code"), _("Item code")])

    def row(section_key: str, section: str, key: str, label: str, value: str) -> None:
        writer.writerow([_cell(section), _cell(label), value, section_key, key])

    first, last = _period(text.figures)
    period = _("Period")
    row("period", period, "from", _("From"), first)
    row("period", period, "to", _("To"), last)
    row("requests", _("Requests to the coordinators"), "total",
        _("Requests made in the period"), shown(text.figures.tickets.total))
    row("needs_total", _("Needs and problems found through individual support"), "total",
        _("Needs and problems recorded"), shown(text.figures.needs.total))
    row("families", _("Families known to the desk"), "total", _("Families known"),
        shown(text.figures.families.total))
    for section in sections:
        for item in section.rows:
            row(section.key, section.title, item.key, item.label, item.printed)
    for grid in grids:
        for (row_key, row_label), printed in zip(grid.rows, grid.printed, strict=True):
            for (column_key, column_label), value in zip(grid.columns, printed, strict=True):
                row(grid.key, grid.title, f"{row_key}:{column_key}",
                    f"{row_label} / {column_label}", value)
    for key, label, value in text.times():
        row("time", _("Time"), key, label, value)
    # The byte order mark makes Excel read the file as UTF-8.
    return "\ufeff" + buffer.getvalue()


def _cell(value: str) -> str:
    # Excel would run a cell that starts like a formula.
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


# --- charts -------------------------------------------------------------------------------


def japanese_font() -> str:
    """The family name of the Japanese font shipped by matplotlib-fontja (IPAexGothic),
    registered with matplotlib: charts need no font installed on the computer."""
    from matplotlib import font_manager
    from matplotlib_fontja import get_font_ttf_path

    path = get_font_ttf_path()
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


CHARTED = ("office", "need", "care", "age", "status", "outcome", "needs", "council",
           "families_age", "faq")


def chart_bars(section: Section) -> list[Row]:
    """The rows drawn as bars: only counts printed as numbers, never a hidden one."""
    return [r for r in section.rows if r.printed.isdigit() and r.count > 0]


def draw_charts(text: ReportText, sections: list[Section], out_dir: Path, stem: str,
                font: str) -> list[Path]:
    """One horizontal bar chart per section; hidden counts get no bar, only a note. Every
    text on them (labels, title, numbers, ticks) is set in ``font``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    written: list[Path] = []
    # Tick labels are made while the figure is saved, so the font holds until then.
    with plt.rc_context({"font.family": [font], "axes.unicode_minus": False}):
        for section in sections:
            if section.key in CHARTED:
                path = _draw_chart(text, section, out_dir / f"{stem}-{section.key}.png")
                if path is not None:
                    written.append(path)
    return written


def _draw_chart(text: ReportText, section: Section, path: Path) -> Path | None:
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    bars = chart_bars(section)
    hidden = len(section.rows) - len(bars)
    if not bars:
        return None
    figure, axes = plt.subplots(figsize=(8, 1.4 + 0.4 * len(bars)), dpi=100)
    try:
        labels = [r.label if len(r.label) <= 30 else r.label[:29] + "…" for r in bars]
        axes.barh(range(len(bars)), [r.count for r in bars], color="#4a7ab5")
        axes.set_yticks(range(len(bars)), labels)
        axes.invert_yaxis()
        axes.set_title(section.title)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        for i, row in enumerate(bars):
            axes.text(row.count, i, f" {row.count}", va="center")
        if hidden:
            note = text._("{count} small or hidden counts are not drawn").format(count=hidden)
            figure.text(0.01, 0.01, note, fontsize=8)
        # Room under the axis for the note about hidden counts.
        figure.tight_layout(rect=(0, 0.08 if hidden else 0, 1, 1))
        figure.savefig(path)
        return path
    finally:
        plt.close(figure)
