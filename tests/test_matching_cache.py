"""The readings of the content are kept on disk and rebuilt when the content changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import DEFAULT_CONTENT_DIR, Content, load_content
from content.matching import build_matching
from content.matching.readings import KanaReader


def load(root: Path) -> Content:
    result = load_content(root)
    assert result.content is not None, result.errors
    return result.content


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("readings-*.json"))


def test_a_second_start_reads_the_content_readings_from_the_cache(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    content = load(content_dir)
    build_matching(content, cache)
    assert len(cache_files(cache)) == 1
    assert content.fingerprint in cache_files(cache)[0].name

    def no_reading(self: KanaReader, normalized: str) -> str:
        raise AssertionError(f"read again instead of from the cache: {normalized[:20]}")

    monkeypatch.setattr(KanaReader, "reading", no_reading)
    build_matching(content, cache)


def test_an_edited_faq_is_read_again_and_the_old_cache_dropped(
    content_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before = load(content_dir)
    build_matching(before, cache)
    old = cache_files(cache)

    faq = content_dir / "faq.ja.yaml"
    text = faq.read_text(encoding="utf-8")
    marker = "  - id: kojin_joho\n"
    at = text.index("    alternates:\n", text.index(marker)) + len("    alternates:\n")
    added = "      - 鳳凰堂で話した内容は秘密にしてもらえる？\n"
    faq.write_text(text[:at] + added + text[at:], "utf-8")

    after = load(content_dir)
    assert after.fingerprint != before.fingerprint
    matcher = build_matching(after, cache)
    assert cache_files(cache) != old
    assert len(cache_files(cache)) == 1
    match = matcher.match("ほうおうどうで はなしたこと", "ja")
    assert (match.topic if match.mode == "answer" else match.suggestions[0]) == "kojin_joho"


def test_a_damaged_cache_is_rebuilt(content_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    content = load(content_dir)
    build_matching(content, cache)
    (damaged,) = cache_files(cache)
    damaged.write_text("{ not json", encoding="utf-8")
    matcher = build_matching(content, cache)
    assert matcher.match("訪問看護を使いたい", "ja").topic == "houmon_kango"
    assert damaged.read_text(encoding="utf-8").startswith("{")
    assert "readings" in damaged.read_text(encoding="utf-8")
