"""The FAQ as a spreadsheet: export for Excel, import back, nothing changed on any error."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from content.loader import load_content
from content.spreadsheet import COLUMNS, export_csv, import_csv
from tests.content_dirs import copy_shipped, with_small_faq

TODAY = date(2026, 4, 1)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], *, excel: bool = False) -> None:
    """Write rows back; ``excel`` imitates Excel's "CSV UTF-8": CRLF inside cells too."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: v.replace("\n", "\r\n") if excel else v for k, v in row.items()})
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def faq_bytes(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in ("faq.ja.yaml", "faq.en.yaml")}


def exported(root: Path, tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    target = tmp_path / "faq.csv"
    report = export_csv(root, target)
    assert report.problems == []
    return target, read_rows(target)


def cli(
    capsys: pytest.CaptureFixture[str], command: str, csv_file: Path, root: Path, lang: str = "en"
) -> tuple[int, str, str]:
    code = main(["content", command, "--csv", str(csv_file), "--dir", str(root), "--lang", lang])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_is_a_csv_excel_reads_as_utf8(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark
    assert raw.split(b"\r\n")[0].decode("utf-8-sig") == ",".join(COLUMNS)
    assert [(r["id"], r["locale"]) for r in rows] == [
        ("houmon_kango", "ja"),
        ("houmon_kango", "en"),
        ("tanki_nyusho", "ja"),
        ("tanki_nyusho", "en"),
    ]
    assert rows[0]["answer"] == "看護師がご自宅に来ます。\n主治医に相談してください。"
    assert rows[0]["reviewed"] == "TRUE"
    assert rows[2]["see_also"] == "houmon_kango"


def test_export_then_import_without_edits_changes_nothing(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    before = load_content(root, today=TODAY)
    assert before.content is not None
    target, rows = exported(root, tmp_path)
    assert len(rows) == 2 * len(before.content.faq["ja"])

    report = import_csv(root, target, today=TODAY)

    assert report.written and report.errors == []
    after = load_content(root, today=TODAY)
    assert after.content is not None
    assert after.content.faq == before.content.faq
    assert report.added == [] and report.removed == []


def test_an_answer_edited_in_the_spreadsheet_is_served_after_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_shipped(tmp_path)
    target, rows = exported(root, tmp_path)
    first = rows[0]
    first["answer"] = "新しい回答です。\n\n2行目もあります。"
    rows = list(reversed(rows))  # entry order follows the spreadsheet
    write_rows(target, rows)

    code, _out, err = cli(capsys, "import", target, root)

    assert code == 0, err
    content = load_content(root).content
    assert content is not None
    # A CSV cell is a str; the import has checked that it names a locale.
    entry = content.entry(first["locale"], first["id"])  # type: ignore[arg-type]
    assert entry is not None and entry.answer == "新しい回答です。\n\n2行目もあります。"
    assert content.faq["ja"][0].id == rows[0]["id"]
    text = (root / "faq.ja.yaml").read_text("utf-8")
    assert text.startswith("# よくある質問")  # the file's opening comments are kept
    assert "    answer: |-\n      新しい回答です。\n\n      2行目もあります。\n" in text


def test_one_bad_row_changes_nothing_and_names_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    rows[1]["answer"] = "Edited, but the import must not happen."
    rows[2]["id"] = "Tanki-Nyusho"  # spreadsheet row 4 (the header is row 1)
    write_rows(target, rows)
    before = faq_bytes(root)

    code, out, err = cli(capsys, "import", target, root)

    assert code == 1
    assert faq_bytes(root) == before
    assert out.splitlines()[0] == (
        "faq.csv:4: error: id: use lower-case letters a-z, digits and _ only, "
        "starting with a letter (2 to 41 characters)"
    )
    assert "nothing was changed" in err


def test_the_report_is_in_japanese_for_japanese_staff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    rows[3]["answer"] = ""
    write_rows(target, rows)

    code, out, err = cli(capsys, "import", target, root, "ja")

    assert code == 1
    assert "faq.csv:5: error: answer: 空にはできません。内容を書いてください" in out
    assert "ファイルは何も変更していません" in err


def test_rows_are_checked_against_each_other_and_the_other_files(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    rows[0]["category"] = "no_such_category"
    rows[2]["see_also"] = "houmon_kango、nowhere"
    rows[3]["owner_office"] = "no_such_office"
    write_rows(target, rows)
    before = faq_bytes(root)

    report = import_csv(root, target, today=TODAY)

    assert not report.written and faq_bytes(root) == before
    assert [str(p) for p in report.errors] == [
        "faq.csv:2: error: houmon_kango: unknown category 'no_such_category' "
        "(not in categories.yaml)",
        "faq.csv:4: error: tanki_nyusho: see_also names 'nowhere', which is not an entry id",
        "faq.csv:5: error: tanki_nyusho: owner_office 'no_such_office' is not an office id "
        "in offices.yaml",
    ]


def test_a_language_missing_for_an_entry_is_reported_on_its_row(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    for row in rows:
        row["see_also"] = ""
    # houmon_kango without its English row; tanki_nyusho's English row twice.
    write_rows(target, [rows[0], rows[2], rows[3], rows[3]])

    report = import_csv(root, target, today=TODAY)

    assert [str(p) for p in report.errors] == [
        "faq.csv:5: error: id 'tanki_nyusho' appears twice for locale en",
        "faq.csv:2: error: entry 'houmon_kango' is in Japanese but not in English",
    ]


def test_a_csv_saved_by_excel_imports(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    # What Excel does to the cells on a Japanese PC: dates as 2026/4/1, TRUE/FALSE,
    # CRLF line ends inside cells; staff type keywords with 、 and leave a blank row.
    rows[0].update(
        keywords="訪問看護、看護師",
        last_reviewed="2026/1/15",
        review_by="2026/7/1",
        reviewed="FALSE",
        staff_note="区の事業所一覧を確認",
    )
    rows.append({c: "" for c in COLUMNS})
    write_rows(target, rows, excel=True)
    assert b"\r\n" in target.read_bytes()

    report = import_csv(root, target, today=TODAY)

    assert report.written, [str(p) for p in report.problems]
    content = load_content(root, today=TODAY).content
    assert content is not None
    entry = content.entry("ja", "houmon_kango")
    assert entry is not None
    assert entry.keywords == ["訪問看護", "看護師"]
    assert entry.last_reviewed == date(2026, 1, 15) and entry.review_by == date(2026, 7, 1)
    assert not entry.reviewed and entry.staff_note == "区の事業所一覧を確認"
    assert entry.answer == "看護師がご自宅に来ます。\n主治医に相談してください。"  # no \r


def test_cells_excel_would_run_as_formulas_are_protected(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    path = root / "faq.en.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "About short stays.", "'- first, stay one night\\n- then longer'"
    ), "utf-8")
    path.write_text(path.read_text("utf-8").replace(
        "    see_also: [houmon_kango]\n",
        "    see_also: [houmon_kango]\n    keywords: ['=SUM(A1)', 'short stay, respite']\n",
    ), "utf-8")
    before = load_content(root, today=TODAY).content
    assert before is not None
    target, rows = exported(root, tmp_path)
    assert rows[3]["answer"].startswith("'- first")

    assert import_csv(root, target, today=TODAY).written
    after = load_content(root, today=TODAY).content
    assert after is not None and after.faq == before.faq
    entry = after.entry("en", "tanki_nyusho")
    assert entry is not None and entry.keywords == ["=SUM(A1)", "short stay, respite"]


def test_a_csv_not_in_utf8_is_refused(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, _rows = exported(root, tmp_path)
    text = target.read_bytes().decode("utf-8-sig")
    target.write_bytes(text.encode("cp932"))  # Excel's plain "CSV" on a Japanese PC
    before = faq_bytes(root)

    report = import_csv(root, target, today=TODAY)

    assert [p.message for p in report.errors] == [
        "the file is not UTF-8 text; in Excel save it as “CSV UTF-8 (Comma delimited)”"
    ]
    assert faq_bytes(root) == before


def test_columns_must_be_the_known_ones(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    for row in rows:
        row["memo"] = row.pop("staff_note")
    write_rows(target, rows)

    report = import_csv(root, target, today=TODAY)

    assert [str(p) for p in report.errors] == [
        "faq.csv:1: error: column 'memo' is not a column tsunagu knows (check the spelling)",
        "faq.csv:1: error: column 'staff_note' is missing from the first row",
    ]


def test_the_import_is_rolled_back_when_the_content_check_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    rows[0]["answer"] = "この変更は取り消されるはずです。"
    write_rows(target, rows)
    # Another file is broken: the rows are fine, the content as a whole is not.
    (root / "synonyms.yaml").write_text("groups: [\n", "utf-8")
    before = faq_bytes(root)

    code, out, err = cli(capsys, "import", target, root)

    assert code == 1
    assert faq_bytes(root) == before
    assert out.startswith("synonyms.yaml:")
    assert "the previous FAQ files were put back" in err
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_export_via_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = with_small_faq(tmp_path)
    target = tmp_path / "out.csv"
    code, _out, err = cli(capsys, "export", target, root)
    assert code == 0
    assert "2 entries (4 rows) written to" in err
    assert len(read_rows(target)) == 4

    (root / "faq.ja.yaml").write_text("locale: ja\nentries: [\n", "utf-8")
    code, out, err = cli(capsys, "export", target, root)
    assert code == 1
    assert out.startswith("faq.ja.yaml:")
    assert "nothing was exported" in err


def test_a_missing_csv_or_folder_is_reported_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_small_faq(tmp_path)
    code, out, _err = cli(capsys, "import", tmp_path / "nope.csv", root)
    assert (code, out) == (1, "nope.csv:1: error: file is missing\n")
    code, _out, err = cli(capsys, "export", tmp_path / "no_folder" / "faq.csv", root)
    assert code == 1 and err.startswith(f"tsunagu: {tmp_path / 'no_folder' / 'faq.csv'}: ")


def test_titles_go_out_and_come_back_and_older_sheets_without_them_still_import(
    tmp_path: Path,
) -> None:
    root = with_small_faq(tmp_path)
    target, rows = exported(root, tmp_path)
    assert [r["title"] for r in rows] == ["訪問看護", "Visiting nursing", "短期入所", "Short stay"]
    rows[1]["title"] = "Nurse at home"
    write_rows(target, rows)
    assert import_csv(root, target, today=TODAY).errors == []
    content = load_content(root, today=TODAY).content
    assert content is not None and content.faq["en"][0].title == "Nurse at home"

    # A sheet exported before titles existed: no column, no error; the titles are gone.
    old = [{k: v for k, v in r.items() if k != "title"} for r in rows]
    with target.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[c for c in COLUMNS if c != "title"])
        writer.writeheader()
        writer.writerows(old)
    report = import_csv(root, target, today=TODAY)
    assert report.errors == [] and report.written
