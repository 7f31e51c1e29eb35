"""`tsunagu content check`: file:line of each problem, plain Japanese or English, review dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from content.base import Locale
from content.i18n import CatalogTranslations
from content.loader import LoadResult, Problem, load_content
from content.problems import staff_locale, validation_message
from tests.content_dirs import first_ids, with_small_faq

TODAY = date(2026, 4, 1)


def messages(result: LoadResult) -> list[str]:
    return [str(p) for p in result.problems if p.file.startswith("faq.")]


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["content", "check", "--dir", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_bad_id_is_reported_on_its_own_line(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "faq.ja.yaml"
    path.write_text(path.read_text("utf-8").replace("id: tanki_nyusho", "id: Tanki-Nyusho"))

    result = load_content(root, today=TODAY)

    assert result.content is None
    assert messages(result) == [
        "faq.ja.yaml:9: error: id: use lower-case letters a-z, digits and _ only, "
        "starting with a letter (2 to 41 characters)"
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    anwser: typo\n", "faq.ja.yaml:15: error: anwser: unknown field (check the spelling)"),
        ("    reviewed: maybe\n", "faq.ja.yaml:15: error: reviewed: should be true or false"),
        ("    alternates: 短期\n", "faq.ja.yaml:15: error: alternates: should be a list"),
        ("    review_by: someday\n", "faq.ja.yaml:15: error: review_by: should be a date like"),
        ("    source_url: city.chiyoda.lg.jp\n", "faq.ja.yaml:15: error: source_url: should be"),
    ],
)
def test_pydantic_errors_read_plainly(tmp_path: Path, extra: str, expected: str) -> None:
    result = load_content(with_small_faq(tmp_path, ja_extra=extra), today=TODAY)
    [message] = messages(result)
    assert message.startswith(expected)


def test_a_missing_field_points_at_its_entry(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "faq.en.yaml"
    path.write_text(path.read_text("utf-8").replace("    answer: About short stays.\n", ""))
    assert messages(load_content(root, today=TODAY)) == [
        "faq.en.yaml:9: error: answer: this field is required"
    ]


def test_an_answer_too_long_for_one_message(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "faq.en.yaml"
    long_answer = "A" * 3001
    path.write_text(path.read_text("utf-8").replace("About short stays.", long_answer))
    assert messages(load_content(root, today=TODAY)) == [
        "faq.en.yaml:13: error: answer: longer than 3000 characters; split it into two entries"
    ]


def test_a_phone_number_in_the_wrong_shape(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "offices.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("phone:"))
    lines[at] = "    phone: 3264-2111\n"
    path.write_text("".join(lines), "utf-8")

    errors = [str(p) for p in load_content(root, today=TODAY).errors]

    assert errors == [
        f"offices.yaml:{at + 1}: error: phone: the phone number 3264-2111 should look like "
        "03-1234-5678"
    ]


def test_the_pydantic_kinds_that_matter_have_their_own_message() -> None:
    def msg(err: dict[str, object]) -> str:
        msgid, params = validation_message(err)
        return msgid.format(**params)

    assert msg({"loc": ("entries", 0, "question"), "type": "missing"}) == (
        "question: this field is required"
    )
    assert msg({"loc": ("entries", 0, "answer"), "type": "string_type"}) == "answer: should be text"
    assert msg(
        {"loc": ("label", "ja"), "type": "string_too_long", "ctx": {"max_length": 60}}
    ) == "ja: too long (at most 60 characters)"
    assert msg({"loc": ("terms",), "type": "too_short", "ctx": {"min_length": 2}}) == (
        "terms: needs at least 2 items"
    )
    assert msg({"loc": (), "type": "model_type"}) == (
        "the file is empty or not laid out as name: value lines"
    )
    # Anything else keeps pydantic's own words rather than saying nothing.
    assert msg({"loc": ("x",), "type": "odd", "msg": "Value error, odd value"}) == "x: odd value"


def test_problems_render_in_japanese_and_english() -> None:
    required = "{field}: this field is required"
    problem = Problem("error", "faq.ja.yaml", 9, required, {"field": "answer"})
    ja = CatalogTranslations().for_locale("ja")
    en = CatalogTranslations().for_locale("en")
    assert problem.render(ja) == "faq.ja.yaml:9: error: answer: この項目は必ず書いてください"
    assert problem.render(en) == "faq.ja.yaml:9: error: answer: this field is required"
    assert str(problem) == "faq.ja.yaml:9: error: answer: this field is required"
    # A plain sentence without parameters is printed as it is, braces and all.
    assert str(Problem("warning", "intake.yaml", 3, "use {braces} freely")).endswith(
        "warning: use {braces} freely"
    )


def test_the_check_speaks_the_staff_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_small_faq(tmp_path, ja_extra="    anwser: typo\n")

    code, out, err = check(root, capsys, "--lang", "ja")
    assert code == 1
    assert "faq.ja.yaml:15: error: anwser: 知らない項目名です（つづりを確認してください）" in out
    assert "エラー 1 件" in err

    code, out, err = check(root, capsys, "--lang", "en")
    assert code == 1
    assert "faq.ja.yaml:15: error: anwser: unknown field (check the spelling)" in out
    assert "1 error(s)" in err


def test_the_default_language_comes_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = with_small_faq(tmp_path, ja_extra="    anwser: typo\n")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "unknown field" in check(root, capsys)[1]
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert "知らない項目名" in check(root, capsys)[1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "ja"),
        ({"LANG": "C.UTF-8"}, "ja"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "ja"),
    ],
)
def test_staff_locale(env: dict[str, str], expected: str) -> None:
    assert staff_locale(env) == expected


def review(root: Path, fields: str) -> Path:
    """Give the first Japanese entry review metadata (appended after line 8)."""
    path = root / "faq.ja.yaml"
    text = path.read_text("utf-8")
    marker = "  - id: tanki_nyusho\n"
    path.write_text(text.replace(marker, fields + marker), "utf-8")
    return root


def test_review_metadata_is_optional_and_valid_when_consistent(tmp_path: Path) -> None:
    _category, office = first_ids(copy := with_small_faq(tmp_path))
    root = review(
        copy,
        f"    owner_office: {office}\n"
        "    source_url: https://www.city.chiyoda.lg.jp/\n"
        "    last_reviewed: 2026-01-15\n"
        "    review_by: 2026-07-15\n",
    )
    result = load_content(root, today=TODAY)
    assert result.content is not None
    entry = result.content.entry("ja", "houmon_kango")
    assert entry is not None and entry.owner_office == office
    assert entry.review_by == date(2026, 7, 15)
    assert messages(result) == []


def test_an_unknown_office_and_dates_in_the_wrong_order_are_errors(tmp_path: Path) -> None:
    root = review(
        with_small_faq(tmp_path),
        "    owner_office: no_such_office\n"  # line 9
        "    last_reviewed: 2026-03-01\n"
        "    review_by: 2026-02-01\n",  # line 11
    )
    assert messages(load_content(root, today=TODAY)) == [
        "faq.ja.yaml:9: error: houmon_kango: owner_office 'no_such_office' is not an office id "
        "in offices.yaml",
        "faq.ja.yaml:11: error: houmon_kango: review_by 2026-02-01 is before last_reviewed "
        "2026-03-01",
        "faq.ja.yaml:11: warning: houmon_kango: due for review (review by 2026-02-01)",
    ]


@pytest.mark.parametrize(
    ("review_by", "due"),
    [("2026-03-31", True), ("2026-04-01", True), ("2026-04-02", False)],
)
def test_entries_past_their_review_date_are_warnings(
    tmp_path: Path, review_by: str, due: bool
) -> None:
    root = review(with_small_faq(tmp_path), f"    review_by: {review_by}\n")
    result = load_content(root, today=TODAY)
    assert result.content is not None
    expected = [f"faq.ja.yaml:9: warning: houmon_kango: due for review (review by {review_by})"]
    assert messages(result) == (expected if due else [])


def test_warnings_do_not_fail_the_check_and_errors_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = review(with_small_faq(tmp_path), "    review_by: 2000-01-01\n")
    code, out, _err = check(root, capsys, "--lang", "en")
    assert code == 0
    assert "faq.ja.yaml:9: warning: houmon_kango: due for review (review by 2000-01-01)" in out

    review(root, "    owner_office: no_such_office\n")
    code, out, _err = check(root, capsys, "--lang", "en")
    assert code == 1
    assert "faq.ja.yaml:10: error: houmon_kango: owner_office 'no_such_office'" in out


def test_review_warnings_render_in_japanese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = review(with_small_faq(tmp_path), "    review_by: 2000-01-01\n")
    code, out, _err = check(root, capsys, "--lang", "ja")
    assert code == 0
    assert "faq.ja.yaml:9: warning: houmon_kango: 見直しの時期です（見直し期限 2000-01-01）" in out


@pytest.mark.parametrize(
    ("locale", "title", "expected"),
    [
        ("en", "Short stays for children", None),  # 24 characters: fits
        ("en", "Short stays for a child, Chiyoda",
         "faq.en.yaml:12: error: title: too long for a button (at most 14 characters in"
         " Japanese, 24 in English)"),
        ("en", "Short stays for children!",
         "faq.en.yaml:12: error: tanki_nyusho: the title is 25 characters; a button shows at"
         " most 24"),
        ("ja", "短期入所（ショートステイ）", None),  # 13 characters
        ("ja", "短期入所（ショートステイ）の", None),  # 14
        ("ja", "短期入所（ショートステイ）の案",
         "faq.ja.yaml:12: error: title: too long for a button (at most 14 characters in"
         " Japanese, 24 in English)"),
    ],
)
def test_titles_must_fit_on_a_button(
    tmp_path: Path, locale: str, title: str, expected: str | None
) -> None:
    root = with_small_faq(tmp_path)
    path = root / f"faq.{locale}.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    assert lines[11].startswith("    title: ")
    lines[11] = f"    title: {title}\n"
    path.write_text("".join(lines), "utf-8")
    errors = [str(p) for p in load_content(root, today=TODAY).errors]
    assert errors == ([expected] if expected else [])


def test_an_entry_without_a_title_is_listed_for_staff(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "faq.en.yaml"
    path.write_text(path.read_text("utf-8").replace("    title: Short stay\n", ""), "utf-8")
    result = load_content(root, today=TODAY)
    assert result.content is not None  # a warning: the button falls back to the question
    assert messages(result) == [
        "faq.en.yaml:11: warning: tanki_nyusho: no title yet — its button shows the question"
        " cut short; add a short title (at most 24 characters)"
    ]


def test_every_shipped_entry_has_a_title_that_is_its_button() -> None:
    from flows.faq import button_label

    content = load_content(today=TODAY).content
    assert content is not None
    limits: tuple[tuple[Locale, int], ...] = (("ja", 14), ("en", 24))
    for locale, limit in limits:
        for entry in content.faq[locale]:
            assert entry.title and len(entry.title) <= limit, (locale, entry.id)
            assert button_label(entry) == entry.title and "…" not in entry.title


def test_folded_japanese_lines_join_without_a_stray_space(tmp_path: Path) -> None:
    from content.yaml_lines import load_with_lines

    path = tmp_path / "folded.yaml"
    path.write_text(
        "ja: >-\n"
        "  いまの暮らしの状況、\n"
        "  困っていること\n"
        "plain: 千代田区の\n"
        "  窓口です\n"
        "name: >-\n"
        "  相談支援事業所 千代田区子ども発達センター、\n"
        "  児童・家庭支援センター\n"
        "en: >-\n"
        "  Next I will ask\n"
        "  about your child (医療的ケア)\n"
        "  and you.\n"
        "\n"
        "  A new paragraph.\n"
        "escaped: \"お子さんの\\u5e74齢\n"
        "  ご家族\"\n",
        "utf-8",
    )
    unjoined: list[tuple[str | int, ...]] = []
    data, _lines = load_with_lines(path, unjoined)
    assert data["ja"] == "いまの暮らしの状況、困っていること"
    assert data["plain"] == "千代田区の窓口です"
    assert data["name"] == "相談支援事業所 千代田区子ども発達センター、児童・家庭支援センター"
    assert data["en"] == "Next I will ask about your child (医療的ケア) and you.\nA new paragraph."
    # An escape makes the source differ from the value: left as YAML reads it, and reported.
    assert data["escaped"] == "お子さんの年齢 ご家族" and unjoined == [("escaped",)]


def test_the_check_points_at_japanese_lines_it_cannot_join(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "consent.ja.yaml"
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("voluntary:"))
    lines[at:at + 2] = ['voluntary: "お答えいただくかどうかは\\u81ea由です。\n',
                        '  同意しなくても使えます。"\n']
    path.write_text("".join(lines), "utf-8")
    result = load_content(root, today=TODAY)
    expected = (f"consent.ja.yaml:{at + 1}: warning: a line break between Japanese characters"
                " shows as a space here; write the text on one line, or as a >- block")
    assert expected in map(str, result.problems)


def test_the_shipped_consent_text_has_no_stray_spaces() -> None:
    import re

    content = load_content(today=TODAY).content
    assert content is not None
    purpose = content.consent["ja"].purpose
    assert "いまの暮らしの状況、困っていること" in purpose
    for field, text in content.consent["ja"].model_dump().items():
        if isinstance(text, str):
            # Only the spaces written on purpose remain (in office names).
            for hit in re.findall(r"[、。）」][ ]\S", text):
                raise AssertionError((field, hit))
    problems = [str(p) for p in load_content(today=TODAY).problems]
    assert not [p for p in problems if "line break between Japanese" in p]
