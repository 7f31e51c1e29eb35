"""When milestones fall for a birth month, which one goes today, and the staff's preview."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.cli import _parser
from bot.milestones_cli import run_milestones
from content.loader import DEFAULT_CONTENT_DIR, load_content
from content.milestone_models import Due, Milestone, MilestonesFile
from flows.business_hours import is_business_day
from flows.milestones.schedule import (
    GRACE_DAYS,
    Scheduled,
    YearMonth,
    april_at_age,
    birth_month_of,
    due_month,
    next_milestone,
    next_to_send,
    preview,
    schedule,
)
from tests.content_dirs import copy_shipped


def shipped() -> list[Milestone]:
    text = (DEFAULT_CONTENT_DIR / "milestones.yaml").read_text("utf-8")
    return MilestonesFile.model_validate(yaml.safe_load(text)).milestones


def milestone(id: str, **due: int) -> Milestone:
    return Milestone.model_validate({
        "id": id, "due": due, "title": {"ja": id, "en": id},
        "body": {"ja": "本文", "en": "Body"}, "source": "test",
    })


# --- the school year ------------------------------------------------------------------------


@pytest.mark.parametrize(("birth", "entry"), [
    ("2020-01", 2026), ("2020-03", 2026),  # January to March: the earlier class
    ("2019-04", 2026), ("2019-12", 2026),  # April to December of the year before: the same
    ("2020-04", 2027),
])
def test_primary_school_starts_in_the_april_after_the_sixth_birthday_by_school_year(
        birth: str, entry: int) -> None:
    assert april_at_age(YearMonth.parse(birth), 6) == YearMonth(entry, 4)


def test_a_health_check_six_months_before_school_is_the_october_before() -> None:
    due = Due(april_at_age=6, months_before=6)
    assert due_month(YearMonth(2020, 5), due) == YearMonth(2026, 10)
    assert due_month(YearMonth(2021, 2), due) == YearMonth(2026, 10)


def test_an_age_in_months_counts_from_the_birth_month() -> None:
    assert due_month(YearMonth(2025, 11), Due(age_months=3)) == YearMonth(2026, 2)
    assert due_month(YearMonth(2025, 11), Due(age_months=210)) == YearMonth(2043, 5)


@pytest.mark.parametrize("text", ["2020-13", "2020-00", "2020-1", "20-01", "May 2020", ""])
def test_a_birth_month_must_be_a_year_and_a_month(text: str) -> None:
    with pytest.raises(ValueError):
        YearMonth.parse(text)


def test_the_birth_month_comes_from_the_age_answer_or_the_question_after_it() -> None:
    assert birth_month_of({"age": {"kind": "born", "month": "2024-08"}}) == YearMonth(2024, 8)
    assert birth_month_of({"age": {"kind": "due", "month": "2027-02"}}) == YearMonth(2027, 2)
    years = {"kind": "age", "years": 2, "months": 0}
    assert birth_month_of({"age": years, "birth_month": "2024-10"}) == YearMonth(2024, 10)
    assert birth_month_of({"age": years}) is None  # a request from before the question
    assert birth_month_of({}) is None


# --- what goes today ----------------------------------------------------------------------


def test_one_a_day_the_earliest_first_each_once() -> None:
    items = schedule(YearMonth(2026, 1), [milestone("bb", age_months=2),
                                          milestone("aa", age_months=2)])
    today = date(2026, 3, 2)
    assert next_to_send(items, set(), today, None) == items[0].milestone
    assert items[0].milestone.id == "bb"  # equal days keep the file's order
    assert next_to_send(items, {"bb"}, today, last_sent=today) is None  # one a day
    assert next_to_send(items, {"bb"}, date(2026, 3, 3), date(2026, 3, 2)) == items[1].milestone
    assert next_to_send(items, {"aa", "bb"}, date(2026, 3, 4), None) is None


def test_nothing_before_it_is_due_and_nothing_long_past() -> None:
    items = schedule(YearMonth(2026, 1), [milestone("mm", age_months=2)])
    assert next_to_send(items, set(), date(2026, 2, 28), None) is None
    last_day = date(2026, 3, 1).toordinal() + GRACE_DAYS
    assert next_to_send(items, set(), date.fromordinal(last_day), None) is not None
    assert next_to_send(items, set(), date.fromordinal(last_day + 1), None) is None


def test_a_family_that_agreed_late_gets_only_what_is_recent() -> None:
    # Born in 2020: everything until school is long past on 2026-10-05; only the health
    # check before school (October 2026) is still recent.
    items = schedule(YearMonth(2020, 5), shipped())
    sent: set[str] = set()
    got = []
    day = date(2026, 10, 5)
    while day <= date(2026, 11, 30):
        if (found := next_to_send(items, sent, day, None)) is not None:
            sent.add(found.id)
            got.append(found.id)
        day = date.fromordinal(day.toordinal() + 1)
    assert got == ["school_health_check"]


def test_the_next_milestone_for_a_child() -> None:
    found = next_milestone(YearMonth(2020, 5), date(2026, 10, 2), shipped())
    assert found is not None
    assert (found.day, found.milestone.id) == (date(2027, 1, 1), "after_school_services")
    assert next_milestone(YearMonth(1990, 1), date(2026, 1, 1), shipped()) is None


def test_the_preview_sends_every_milestone_once_on_business_days() -> None:
    items = preview(YearMonth(2024, 5), shipped())
    assert sorted(i.milestone.id for i in items) == sorted(m.id for m in shipped())
    assert all(is_business_day(i.day) for i in items)
    assert len({i.day for i in items}) == len(items)
    # 1 June 2024 was a Saturday: the first message goes on Monday the 3rd.
    assert items[0] == Scheduled(date(2024, 6, 3), items[0].milestone)
    days = {i.milestone.id: i.day for i in items}
    assert days["school_health_check"] == date(2030, 10, 1)
    assert days["school_consultation"] == date(2030, 4, 1)


# --- the command ----------------------------------------------------------------------------


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_milestones(_parser().parse_args(["milestones", "preview", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_preview_prints_one_line_per_message_date_then_title() -> None:
    code, out, err = run(["--birth", "2024-05", "--lang", "en", "--dir",
                          str(DEFAULT_CONTENT_DIR)])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(shipped())
    assert lines[0] == "2024-06-03  Help with medical costs"
    assert "2030-10-01  Health check before primary school" in lines
    ja = run(["--birth", "2024-05", "--lang", "ja", "--dir", str(DEFAULT_CONTENT_DIR)])[1]
    assert "2030-10-01  就学時健康診断" in ja.splitlines()


@pytest.mark.parametrize("bad", ["2020-13", "2020/05", "next year"])
def test_preview_refuses_a_bad_birth_month_in_one_line(bad: str) -> None:
    code, out, err = run(["--birth", bad, "--lang", "en", "--dir", str(DEFAULT_CONTENT_DIR)])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and bad in err and "2024-05" in err
    ja_err = run(["--birth", bad, "--lang", "ja", "--dir", str(DEFAULT_CONTENT_DIR)])[2]
    assert "年と月" in ja_err


def test_preview_refuses_content_with_errors(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    (root / "milestones.yaml").write_text("milestones:\n  - id: x\n", "utf-8")
    code, out, err = run(["--birth", "2024-05", "--lang", "en", "--dir", str(root)])
    assert (code, out) == (1, "")
    assert "tsunagu content check" in err


# --- the content check ------------------------------------------------------------------------


def test_the_shipped_milestones_load_and_each_still_to_confirm_is_listed() -> None:
    result = load_content(DEFAULT_CONTENT_DIR)
    assert result.content is not None and not result.errors
    ids = [m.id for m in result.content.milestones]
    assert len(ids) == len(set(ids)) >= 15
    listed = {str(p.params.get("id")) for p in result.warnings if p.file == "milestones.yaml"}
    assert listed == {m.id for m in result.content.milestones if not m.reviewed}
    for m in result.content.milestones:
        assert m.source and m.title.ja and m.title.en and m.body.ja and m.body.en
        # Every Chiyoda detail is still to confirm: none is stated as fact.
        assert not m.reviewed and "【要確認】" in m.body.ja and "【要確認】" in m.body.en


def check(tmp_path: Path, text: str) -> list[str]:
    root = tmp_path / "data"
    if not root.exists():
        copy_shipped(tmp_path)
    (root / "milestones.yaml").write_text(text, "utf-8")
    return [str(p) for p in load_content(root).problems if p.file == "milestones.yaml"]


ENTRY = ("  - id: {id}\n"
         "    due: {due}\n"
         "    title: {{ja: 題, en: Title}}\n"
         "    body: {{ja: 本文, en: Body}}\n"
         "    source: test\n"
         "    reviewed: {reviewed}\n")


def test_the_check_finds_mistakes_with_their_lines(tmp_path: Path) -> None:
    text = "milestones:\n" + ENTRY.format(
        id="both", due="{age_months: 3, april_at_age: 6}", reviewed="true") + ENTRY.format(
        id="both", due="{age_months: 3}", reviewed="true")
    problems = check(tmp_path, text)
    assert any(p.startswith("milestones.yaml:3: error:") and "age_months" in p
               for p in problems), problems
    text = "milestones:\n" + ENTRY.format(id="twice", due="{age_months: 3}",
                                          reviewed="true") * 2
    assert any(p.startswith("milestones.yaml:8: error:") and "twice" in p
               for p in check(tmp_path, text))


def test_the_check_warns_of_a_reviewed_entry_that_still_says_to_confirm(tmp_path: Path) -> None:
    text = "milestones:\n" + ENTRY.format(id="ok", due="{age_months: 3}", reviewed="true")
    assert check(tmp_path, text) == []
    text = text.replace("本文", "本文【要確認】")
    [problem] = check(tmp_path, text)
    assert problem.startswith("milestones.yaml:2: warning: ok: marked reviewed")


def test_without_the_file_nothing_is_sent_and_staff_are_told(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    (root / "milestones.yaml").unlink()
    result = load_content(root)
    assert result.content is not None and result.content.milestones == ()
    assert any(p.file == "milestones.yaml" and p.severity == "warning" for p in result.problems)
