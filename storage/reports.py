"""Figures for the support council's report: what families asked for, and what came of it.

Counts are aggregated in SQL over tickets created in a period. The needs, care types
and age come from a ticket's personal details; a withdrawn ticket and one past its
retention period have none left, and are counted as "not recorded" instead.
The needs and problems coordinators recorded are those on the period's tickets, with
their status today; the families known are counted once each, whatever the period.
Times are measured between the ticket's own timestamps; when a column does not exist
yet (the claim time before the coordinators' desk records it) the figure is None,
which the report prints as "not recorded yet".
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import aiosqlite

from content.base import TOKYO
from content.records import UnansweredQuestion
from flows.age_bands import NOT_RECORDED, age_band

OUTCOME_COLUMNS = ("outcome",)


@dataclass
class TicketFigures:
    total: int = 0
    by_office: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    # A ticket may name several needs and care types: these count mentions.
    by_need: Counter[str] = field(default_factory=Counter)
    by_care: Counter[str] = field(default_factory=Counter)
    by_age_band: Counter[str] = field(default_factory=Counter)
    # Tickets whose personal details (and so needs, care and age) are deleted.
    without_details: int = 0
    # None when the column does not exist yet.
    by_outcome: Counter[str] | None = None
    hours_to_claim: list[float] | None = None
    hours_to_close: list[float] = field(default_factory=list)
    # (office, outcome) of the closed tickets that have an outcome.
    outcome_by_office: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class NeedFigures:
    """The needs and problems recorded on the period's tickets (one per ticket and code)."""

    total: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_code_status: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class FamilyFigures:
    """The families the desk knows: those whose details it holds, each counted once, by
    their latest request made before the end of the period."""

    total: int = 0
    by_age_band: Counter[str] = field(default_factory=Counter)
    # A child may need several kinds of care: these count mentions.
    by_care: Counter[str] = field(default_factory=Counter)


@dataclass
class ReportFigures:
    start: datetime
    end: datetime
    tickets: TicketFigures
    # Answers shown per FAQ topic.
    faq_views: Counter[str]
    # The logged unanswered questions of the period, newest first.
    unanswered: list[UnansweredQuestion]
    needs: NeedFigures = field(default_factory=NeedFigures)
    families: FamilyFigures = field(default_factory=FamilyFigures)
    # Families each flyer's source brought in the period (first contacts).
    arrivals: Counter[str] = field(default_factory=Counter)


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


async def _columns(conn: aiosqlite.Connection, table: str) -> set[str]:
    async with conn.execute(f"PRAGMA table_info({table})") as cur:
        return {row[1] for row in await cur.fetchall()}


# Timestamps are ISO strings with their offset; julianday() compares them as instants.
_IN_PERIOD = "julianday(t.created_at) >= julianday(?) AND julianday(t.created_at) < julianday(?)"


async def _counts(conn: aiosqlite.Connection, sql: str, args: tuple[object, ...]) -> Counter[str]:
    async with conn.execute(sql, args) as cur:
        return Counter({str(row[0]): int(row[1]) for row in await cur.fetchall()})


async def ticket_figures(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> TicketFigures:
    period = (start.isoformat(), end.isoformat())
    figures = TicketFigures()
    async with conn.execute(f"SELECT COUNT(*) FROM tickets t WHERE {_IN_PERIOD}", period) as cur:
        row = await cur.fetchone()
    figures.total = int(row[0]) if row else 0
    figures.by_office = await _counts(
        conn, f"SELECT t.office, COUNT(*) FROM tickets t WHERE {_IN_PERIOD} GROUP BY t.office",
        period,
    )
    figures.by_status = await _counts(
        conn, f"SELECT t.status, COUNT(*) FROM tickets t WHERE {_IN_PERIOD} GROUP BY t.status",
        period,
    )
    for key, path in (("by_need", "$.needs"), ("by_care", "$.care")):
        counts = await _counts(
            conn,
            f"""SELECT j.value, COUNT(*) FROM tickets t
                JOIN ticket_details d ON d.ticket_id = t.id, json_each(d.answers, '{path}') j
                WHERE {_IN_PERIOD} GROUP BY j.value""",
            period,
        )
        setattr(figures, key, counts)
    async with conn.execute(
        f"""SELECT t.created_at, json_extract(d.answers, '$.age') FROM tickets t
            LEFT JOIN ticket_details d ON d.ticket_id = t.id WHERE {_IN_PERIOD}""",
        period,
    ) as cur:
        for created_at, age in await cur.fetchall():
            parsed = json.loads(age) if isinstance(age, str) else None
            figures.by_age_band[age_band(parsed, datetime.fromisoformat(created_at))] += 1
    async with conn.execute(
        f"""SELECT COUNT(*) FROM tickets t LEFT JOIN ticket_details d ON d.ticket_id = t.id
            WHERE {_IN_PERIOD} AND d.ticket_id IS NULL""",
        period,
    ) as cur:
        row = await cur.fetchone()
    figures.without_details = int(row[0]) if row else 0
    if figures.without_details:
        for counter in (figures.by_need, figures.by_care):
            counter[NOT_RECORDED] = figures.without_details

    columns = await _columns(conn, "tickets")
    outcome = next((c for c in OUTCOME_COLUMNS if c in columns), None)
    if outcome is not None:
        figures.by_outcome = await _counts(
            conn,
            f"""SELECT t.{outcome}, COUNT(*) FROM tickets t
                WHERE {_IN_PERIOD} AND t.{outcome} IS NOT NULL GROUP BY t.{outcome}""",
            period,
        )
        async with conn.execute(
            f"""SELECT t.office, t.{outcome}, COUNT(*) FROM tickets t
                WHERE {_IN_PERIOD} AND t.{outcome} IS NOT NULL GROUP BY t.office, t.{outcome}""",
            period,
        ) as cur:
            for office, code, count in await cur.fetchall():
                figures.outcome_by_office[(str(office), str(code))] = int(count)
    if "claimed_at" in columns:
        figures.hours_to_claim = await _hours(conn, "t.claimed_at", period)
    figures.hours_to_close = await _hours(conn, "t.closed_at", period)
    return figures


async def _hours(
    conn: aiosqlite.Connection, column: str, period: tuple[str, str]
) -> list[float]:
    async with conn.execute(
        f"""SELECT (julianday({column}) - julianday(t.created_at)) * 24 FROM tickets t
            WHERE {_IN_PERIOD} AND {column} IS NOT NULL""",
        period,
    ) as cur:
        return [float(row[0]) for row in await cur.fetchall()]


async def need_figures(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> NeedFigures:
    figures = NeedFigures()
    async with conn.execute(
        f"""SELECT n.code, n.status, COUNT(*) FROM ticket_needs n
            JOIN tickets t ON t.id = n.ticket_id WHERE {_IN_PERIOD}
            GROUP BY n.code, n.status""",
        (start.isoformat(), end.isoformat()),
    ) as cur:
        for code, status, count in await cur.fetchall():
            figures.by_code_status[(str(code), str(status))] = int(count)
            figures.by_code[str(code)] += int(count)
            figures.by_status[str(status)] += int(count)
            figures.total += int(count)
    return figures


async def family_figures(conn: aiosqlite.Connection, end: datetime) -> FamilyFigures:
    """Families whose details are held, from their latest request made before ``end``."""
    figures = FamilyFigures()
    async with conn.execute(
        """SELECT t.created_at, d.answers FROM tickets t
           JOIN ticket_details d ON d.ticket_id = t.id
           WHERE julianday(t.created_at) < julianday(?)
             AND t.id = (SELECT t2.id FROM tickets t2
                         JOIN ticket_details d2 ON d2.ticket_id = t2.id
                         WHERE d2.subject = d.subject
                           AND julianday(t2.created_at) < julianday(?)
                         ORDER BY julianday(t2.created_at) DESC, t2.id DESC LIMIT 1)""",
        (end.isoformat(), end.isoformat()),
    ) as cur:
        rows = await cur.fetchall()
    for created_at, raw in rows:
        answers = json.loads(raw)
        figures.total += 1
        figures.by_age_band[age_band(answers.get("age"), datetime.fromisoformat(created_at))] += 1
        care = answers.get("care")
        for code in care if isinstance(care, list) else []:
            figures.by_care[str(code)] += 1
    return figures


async def faq_view_counts(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> Counter[str]:
    return await _counts(
        conn,
        """SELECT topic, COUNT(*) FROM faq_views
           WHERE julianday(at) >= julianday(?) AND julianday(at) < julianday(?)
           GROUP BY topic""",
        (start.isoformat(), end.isoformat()),
    )


async def unanswered_in(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> list[UnansweredQuestion]:
    async with conn.execute(
        """SELECT id, at, locale, text, mode, best_topic, confidence FROM unanswered
           WHERE julianday(at) >= julianday(?) AND julianday(at) < julianday(?)
           ORDER BY at DESC, id DESC""",
        (start.isoformat(), end.isoformat()),
    ) as cur:
        rows = await cur.fetchall()
    return [UnansweredQuestion.model_validate(dict(row)) for row in rows]


async def report_figures(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> ReportFigures:
    """Everything the report needs for tickets created in [start, end)."""
    return ReportFigures(
        start=start,
        end=end,
        tickets=await ticket_figures(conn, start, end),
        faq_views=await faq_view_counts(conn, start, end),
        unanswered=await unanswered_in(conn, start, end),
        needs=await need_figures(conn, start, end),
        families=await family_figures(conn, end),
        arrivals=await arrival_counts(conn, start, end),
    )


async def arrival_counts(
    conn: aiosqlite.Connection, start: datetime, end: datetime
) -> Counter[str]:
    """Families per source over the Tokyo days of [start, end): arrivals are kept per day."""
    first = start.astimezone(TOKYO).date()
    last = (end.astimezone(TOKYO) - timedelta(microseconds=1)).date()
    return await _counts(
        conn,
        "SELECT source, SUM(families) FROM arrivals WHERE day >= ? AND day <= ? GROUP BY source",
        (first.isoformat(), last.isoformat()),
    )


def tokyo_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last``, in Tokyo."""
    start = datetime.combine(first, time(0), tzinfo=TOKYO)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=TOKYO)
    return start, end
