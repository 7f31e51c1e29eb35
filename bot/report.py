"""The support council's report: Markdown, a CSV for Excel, and PNG charts.

The ward memo asks the coordinators to draw out the needs and problems seen in
individual cases and to follow whether they were solved; this turns the tickets, the
answers shown and the unanswered questions of a period into that picture.

No family may be recognisable from it. Every count of 1 or 2 is printed as "<3" (0
stays 0), in the Markdown, the CSV and the charts alike. Where a section's counts add
up to a published total, one hidden count could be worked out by subtraction, so
another count is hidden as well ("*") until the hidden ones cannot be told apart.
Unanswered questions appear only as themes asked at least 3 times, with digits masked.
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

from content.faq_files import replace_files
from content.gaps import group_questions
from content.loader import Content
from flows.age_bands import LABELS as AGE_BAND_LABELS
from flows.age_bands import NOT_RECORDED
from flows.dates import in_tokyo
from flows.model import Locale
from flows.ports import Translations, Translator
from flows.text import N_
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
# Fonts matplotlib can draw Japanese with, if one is installed (e.g. fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic",
             "VL Gothic", "Source Han Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo")


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
    """Write ``report-FROM-TO.md``, ``.csv`` and ``report-FROM-TO-SECTION.png`` charts.

    Charts are labelled in ``locale`` when it is English or a Japanese font is installed,
    and in English otherwise (the Markdown says so)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = ReportText(figures, content, translations.for_locale(locale))
    first, last = _period(figures)
    stem = f"report-{first}-{last}"
    sections = [*text.ticket_sections(), text.topic_section(), text.theme_section(),
                arrival_section(text)]
    font = cjk_font()
    chart_language: Locale = locale if locale == "en" or font is not None else "en"
    chart_text = ReportText(figures, content, translations.for_locale(chart_language))
    charts = draw_charts(
        chart_text, [*chart_text.ticket_sections(), chart_text.topic_section()], out_dir, stem,
        font if chart_language == "ja" else None,
    )
    markdown = out_dir / f"{stem}.md"
    table = out_dir / f"{stem}.csv"
    replace_files({
        markdown: render_markdown(text, sections, charts, chart_language != locale),
        table: render_csv(text, sections),
    })
    return Written(markdown, table, charts, chart_language)


def _period(figures: ReportFigures) -> tuple[str, str]:
    first = in_tokyo(figures.start).date()
    last = (in_tokyo(figures.end) - timedelta(seconds=1)).date()
    return first.isoformat(), last.isoformat()


def _table(text: ReportText, section: Section, chart: Path | None) -> list[str]:
    _ = text._
    lines = ["", "### " + section.title, ""]
    if not section.rows:
        return [*lines, _("None in this period.")]
    if section.note:
        lines += [section.note, ""]
    lines += [f"| {_('Item')} | {_('Count')} |", "| --- | ---: |"]
    lines += [f"| {_md(r.label)} | {r.printed} |" for r in section.rows]
    if chart is not None:
        lines += ["", f"![{_md(section.title)}]({chart.name})"]
    return lines


def render_markdown(text: ReportText, sections: list[Section], charts: list[Path],
                    english_charts: bool) -> str:
    _ = text._
    first, last = _period(text.figures)
    tickets = text.figures.tickets
    by_key = {p.stem.rsplit("-", 1)[-1]: p for p in charts}
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
    requests = [s for s in sections if s.key not in ("faq", "unanswered", ARRIVALS)]
    for section in requests:
        lines += _table(text, section, by_key.get(section.key))
    lines += ["", "### " + _("Time"), "", f"| | {_('Median')} |", "| --- | ---: |"]
    lines += [f"| {label} | {value} |" for _key, label, value in text.times()]
    if tickets.by_outcome is None:
        lines += ["", "### " + _("Outcomes of closed requests"), "",
                  _("Outcomes are not recorded yet; the status above shows which requests are"
                    " closed.")]
    lines += ["", "## " + _("Questions from parents")]
    for section in sections:
        if section.key in ("faq", "unanswered"):
            lines += _table(text, section, by_key.get(section.key))
    lines += ["", _("Unanswered questions are grouped by similar wording; digits are masked"
                    " and themes asked fewer than 3 times are counted together.")]
    lines += arrival_lines(text, sections)
    if english_charts:
        lines += ["", _("The charts use English labels: no Japanese font is installed on this"
                        " computer (for example the fonts-noto-cjk package).")]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_csv(text: ReportText, sections: list[Section]) -> str:
    _ = text._
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "key", "label", "value"])
    first, last = _period(text.figures)
    writer.writerow(["period", "from", _("From"), first])
    writer.writerow(["period", "to", _("To"), last])
    writer.writerow(["requests", "total", _("Requests made in the period"),
                     shown(text.figures.tickets.total)])
    for section in sections:
        for row in section.rows:
            writer.writerow([section.key, row.key, _cell(row.label), row.printed])
    for key, label, value in text.times():
        writer.writerow(["time", key, label, value])
    # The byte order mark makes Excel read the file as UTF-8.
    return "\ufeff" + buffer.getvalue()


def _cell(value: str) -> str:
    # Excel would run a cell that starts like a formula.
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


# --- charts -------------------------------------------------------------------------------


def cjk_font() -> str | None:
    """A font matplotlib has that can draw Japanese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


CHARTED = ("office", "need", "care", "age", "status", "outcome", "faq")


def chart_bars(section: Section) -> list[Row]:
    """The rows drawn as bars: only counts printed as numbers, never a hidden one."""
    return [r for r in section.rows if r.printed.isdigit() and r.count > 0]


def draw_charts(text: ReportText, sections: list[Section], out_dir: Path, stem: str,
                font: str | None) -> list[Path]:
    """One horizontal bar chart per section; hidden counts get no bar, only a note."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    family = font or "DejaVu Sans"
    written: list[Path] = []
    for section in sections:
        if section.key not in CHARTED:
            continue
        bars = chart_bars(section)
        hidden = len(section.rows) - len(bars)
        if not bars:
            continue
        figure, axes = plt.subplots(figsize=(8, 1.4 + 0.4 * len(bars)), dpi=100)
        try:
            labels = [r.label if len(r.label) <= 30 else r.label[:29] + "…" for r in bars]
            axes.barh(range(len(bars)), [r.count for r in bars], color="#4a7ab5")
            axes.set_yticks(range(len(bars)), labels, fontfamily=family)
            axes.invert_yaxis()
            axes.set_title(section.title, fontfamily=family)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            for i, row in enumerate(bars):
                axes.text(row.count, i, f" {row.count}", va="center")
            if hidden:
                note = text._("{count} small or hidden counts are not drawn").format(count=hidden)
                figure.text(0.01, 0.01, note, fontsize=8, fontfamily=family)
            # Room under the axis for the note about hidden counts.
            figure.tight_layout(rect=(0, 0.08 if hidden else 0, 1, 1))
            path = out_dir / f"{stem}-{section.key}.png"
            figure.savefig(path)
            written.append(path)
        finally:
            plt.close(figure)
    return written
