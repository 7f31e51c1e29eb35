"""Hot reload: valid edits are picked up while running, invalid ones are refused and logged."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from content.base import Locale
from content.loader import Content, LoadResult
from content.records import FaqMatch, FaqMatcher
from content.watch import Reloadable, describe_refusal, snapshot, watch_content
from tests.content_dirs import with_small_faq

source = pytest.importorskip("content.source")  # needs content.matching


class _CountingMatcher(FaqMatcher):
    built = 0

    def __init__(self, content: Content, semantic: bool = False) -> None:
        type(self).built += 1
        self.content = content

    def match(self, text: str, locale: Locale) -> FaqMatch:
        return FaqMatch(mode="refuse")


@pytest.fixture
def fake_matcher(monkeypatch: pytest.MonkeyPatch) -> type[_CountingMatcher]:
    # The real matcher is tested elsewhere; here only when it is rebuilt matters.
    _CountingMatcher.built = 0
    monkeypatch.setattr(source, "build_matcher", _CountingMatcher)
    return _CountingMatcher


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    stat = path.stat()
    path.write_text(text.replace(old, new), "utf-8")
    # Same-size edits within one clock tick must still look changed.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def answer(store: Any, topic: str = "houmon_kango") -> str:
    entry = store.current().entry("ja", topic)
    assert entry is not None
    return str(entry.answer)


def test_snapshot_sees_edits_and_ignores_hidden_files(tmp_path: Path) -> None:
    root = with_small_faq(tmp_path)
    before = snapshot(root)
    assert "faq.ja.yaml" in {name for name, _, _ in before}
    (root / ".faq.ja.yaml.123.tmp").write_text("half written", "utf-8")
    (root / "notes.txt").write_text("not content", "utf-8")
    assert snapshot(root) == before
    edit(root / "faq.ja.yaml", "看護師", "訪問看護師")
    assert snapshot(root) != before


def test_unchanged_files_are_not_read_again(tmp_path: Path, fake_matcher: Any) -> None:
    store = source.ContentStore.load(with_small_faq(tmp_path))
    assert store.reload_if_changed() is None
    assert fake_matcher.built == 1


def test_a_valid_edit_is_served_and_the_matcher_rebuilt(tmp_path: Path, fake_matcher: Any) -> None:
    root = with_small_faq(tmp_path)
    store = source.ContentStore.load(root)
    old_matcher = store.matcher()
    edit(root / "faq.ja.yaml", "看護師がご自宅に来ます。", "看護師が週に数回ご自宅に来ます。")

    result = store.reload_if_changed()

    assert result is not None and result.content is not None
    assert "週に数回" in answer(store)
    assert store.matcher() is not old_matcher
    assert store.matcher().content is store.current()
    assert fake_matcher.built == 2
    assert store.reload_if_changed() is None


def test_an_invalid_edit_keeps_the_last_good_content_and_says_why(
    tmp_path: Path, fake_matcher: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root = with_small_faq(tmp_path)
    store = source.ContentStore.load(root)
    good = store.current()
    edit(root / "faq.ja.yaml", "  - id: tanki_nyusho", "  - id: Tanki-Nyusho")

    with caplog.at_level(logging.WARNING, logger="content.source"):
        result = store.reload_if_changed()

    assert result is not None and result.content is None
    assert store.current() is good
    assert fake_matcher.built == 1
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    line = record.getMessage()
    assert f"{len(result.errors)} error(s)" in line
    assert "faq.ja.yaml:9: error: id:" in line
    # The same broken files are reported once, not on every check.
    assert store.reload_if_changed() is None

    edit(root / "faq.ja.yaml", "  - id: Tanki-Nyusho", "  - id: tanki_nyusho")
    fixed = store.reload_if_changed()
    assert fixed is not None and fixed.content is not None
    # Back to the very same files: nothing to rebuild.
    assert store.current() is good and fake_matcher.built == 1


def test_describe_refusal_counts_and_shows_the_first_problems(tmp_path: Path) -> None:
    from content.loader import load_content

    unknown = "    colour: blue\n    size: 3\n    extra: x\n    more: y\n"
    root = with_small_faq(tmp_path, ja_extra=unknown)
    text = describe_refusal(load_content(root), shown=2)
    assert text.startswith("4 error(s): faq.ja.yaml:15: error: colour: unknown field")
    assert text.endswith("; and 2 more")


async def test_watch_reports_each_reload_until_cancelled(tmp_path: Path, fake_matcher: Any) -> None:
    root = with_small_faq(tmp_path)
    store = source.ContentStore.load(root)
    seen: asyncio.Queue[LoadResult] = asyncio.Queue()

    async def on_result(result: LoadResult) -> None:
        await seen.put(result)

    task = asyncio.create_task(watch_content(store, 0.01, on_result))
    try:
        edit(root / "faq.ja.yaml", "看護師がご自宅に来ます。", "看護師が来ます。")
        result = await asyncio.wait_for(seen.get(), timeout=5)
        assert result.content is not None and "看護師が来ます。" in answer(store)
        edit(root / "faq.en.yaml", "locale: en", "locale: fr")
        refused = await asyncio.wait_for(seen.get(), timeout=5)
        assert refused.content is None and "看護師が来ます。" in answer(store)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_watch_keeps_the_event_loop_free_while_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow_matcher(content: Content, semantic: bool = False) -> _CountingMatcher:
        time.sleep(0.5)  # a big index build
        return _CountingMatcher(content)

    root = with_small_faq(tmp_path)
    monkeypatch.setattr(source, "build_matcher", _CountingMatcher)
    store = source.ContentStore.load(root)
    monkeypatch.setattr(source, "build_matcher", slow_matcher)
    done = asyncio.Event()
    task = asyncio.create_task(watch_content(store, 0.01, lambda _result: done.set()))
    try:
        edit(root / "faq.ja.yaml", "看護師がご自宅に来ます。", "看護師が来ます。")
        longest_gap = 0.0
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            longest_gap, last = max(longest_gap, now - last), now
        assert longest_gap < 0.25
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_watch_survives_a_failing_check() -> None:
    calls = 0
    results: list[LoadResult] = []

    class Flaky(Reloadable):
        def reload_if_changed(self) -> LoadResult | None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise OSError("disk went away")
            return LoadResult(None, []) if calls == 2 else None

    task = asyncio.create_task(watch_content(Flaky(), 0.001, results.append))
    try:
        for _ in range(500):
            if results:
                break
            await asyncio.sleep(0.002)
        assert len(results) == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
