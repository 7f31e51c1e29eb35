"""sources.yaml as `tsunagu content check` sees it: ids a Telegram link can carry, each once."""

from __future__ import annotations

from pathlib import Path

from content.loader import load_content
from content.sources import SOURCE_ID
from tests.content_dirs import copy_shipped


def sources_file(root: Path, body: str) -> None:
    (root / "sources.yaml").write_text("sources:\n" + body, "utf-8")


def test_the_shipped_sources_are_valid_and_fit_a_telegram_link() -> None:
    from content.loader import DEFAULT_CONTENT_DIR

    result = load_content(DEFAULT_CONTENT_DIR)
    assert result.content is not None
    ids = result.content.sources.ids
    assert {"hokenjo", "hospital", "hattatsu_center"} <= set(ids)
    assert all(SOURCE_ID.match(i) for i in ids)
    assert not [p for p in result.problems if p.file == "sources.yaml"]


def test_an_id_a_link_cannot_carry_is_an_error_on_its_line(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    sources_file(root, (
        "  - id: hokenjo\n"
        "    name: {ja: 保健所, en: Public health center}\n"
        "  - id: 保健所２\n"  # line 4
        "    name: {ja: 保健所, en: Public health center}\n"
    ))
    result = load_content(root)
    assert result.content is None
    assert [(p.file, p.line) for p in result.errors] == [("sources.yaml", 4)]


def test_an_id_used_twice_is_an_error(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    twice = "  - id: hokenjo\n    name: {ja: 保健所, en: Public health center}\n"
    sources_file(root, twice * 2)
    result = load_content(root)
    assert result.content is None
    assert [p.file for p in result.errors] == ["sources.yaml"]
    assert "hokenjo" in str(result.errors[0].params)


def test_a_name_to_confirm_and_a_missing_file_are_warnings(tmp_path: Path) -> None:
    root = copy_shipped(tmp_path)
    sources_file(root, "  - id: event-2026\n    name: {ja: 【要確認】, en: Family event}\n")
    result = load_content(root)
    assert result.content is not None
    assert [(p.file, p.line) for p in result.warnings if p.file == "sources.yaml"] == [
        ("sources.yaml", 2)
    ]
    (root / "sources.yaml").unlink()
    result = load_content(root)
    assert result.content is not None and result.content.sources.ids == []
    assert [p.severity for p in result.problems if p.file == "sources.yaml"] == ["warning"]
