"""Kana readings, so that a message typed in hiragana finds an entry written in kanji.

Readings are generated with pykakasi, never typed by hand. Each run of kanji (with
up to two following kana, which settle the reading of verbs such as 行ける) is read
on its own and remembered: the FAQ and the messages share most of their words, so
the same runs come back again and again. Reading the whole content takes a few
hundred milliseconds, so the readings of the content are kept on disk, keyed by the
content fingerprint, and read back on the next start.

Reading kanji the same way for the content and for the message also catches the most
common typing slip in Japanese: a homophone picked from the IME list (自立死線医療 reads
じりつしせんいりょう, close to 自立支援医療).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from content.matching.normalize import KANJI, normalize

log = logging.getLogger(__name__)

# Bump when the way readings or normalised texts are made changes, so old caches are dropped.
READING_FORMAT = 5
_KANJI_RUN = re.compile(rf"[{KANJI}]+[ぁ-ゖ]{{0,2}}")
# Messages are cut to a couple of thousand characters before matching; beyond this many
# kanji runs the surface text alone decides, which keeps a pasted page fast.
MAX_RUNS_PER_TEXT = 400


class KanaReader:
    """Reads normalised text aloud in hiragana, one kanji run at a time.

    pykakasi takes about half a second to load. The runs of the content are kept with
    its readings, so after a start from the cache most messages are read without it;
    it is loaded in the background for the words the content does not have.
    """

    def __init__(self, runs: dict[str, str] | None = None) -> None:
        self._kakasi: Any = None
        self._lock = threading.Lock()
        # The content's runs and their readings (messages' runs go to the bounded cache).
        self.runs: dict[str, str] = dict(runs or {})
        self._read_run = lru_cache(maxsize=20_000)(self._convert)

    def load_in_background(self) -> None:
        threading.Thread(target=self._engine, name="kana-reader-load", daemon=True).start()

    def _engine(self) -> Any:
        with self._lock:
            if self._kakasi is None:
                import pykakasi

                from content.matching import kanwa

                # Its kanji dictionary from disk, entry by entry: 100 MB less to hold.
                kanwa.install()
                self._kakasi = pykakasi.kakasi()  # type: ignore[no-untyped-call]
            return self._kakasi

    def _convert(self, run: str) -> str:
        known = self.runs.get(run)
        if known is not None:
            return known
        return "".join(part["hira"] for part in self._engine().convert(run))

    def reading(self, normalized: str, *, remember: bool = False) -> str:
        """The hiragana reading of a normalised text; ``remember`` keeps its runs (content)."""
        count = 0

        def read(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            run = match.group()
            if count > MAX_RUNS_PER_TEXT:
                return run
            reading = str(self._read_run(run))
            if remember:
                self.runs[run] = reading
            return reading

        return normalize(_KANJI_RUN.sub(read, normalized))

    def romaji(self, normalized: str) -> str:
        """Hepburn romaji of a normalised text, word by word (content only: it is slow)."""
        parts = self._engine().convert(normalized)
        return " ".join(str(part["hepburn"]) for part in parts if part["hepburn"].strip())


# Normalised text has no colon, so these prefixes keep the kinds apart in one table.
_ROMAJI = "romaji:"
_RUN = "run:"


class ReadingTable:
    """The readings of the content's texts, remembered on disk between starts."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        known = known or {}
        self.readings = {k: v for k, v in known.items() if not k.startswith(_RUN)}
        self.reader = KanaReader(
            {k.removeprefix(_RUN): v for k, v in known.items() if k.startswith(_RUN)}
        )
        self.added = 0

    def reading(self, normalized: str) -> str:
        found = self.readings.get(normalized)
        if found is None:
            found = self.reader.reading(normalized, remember=True)
            self.readings[normalized] = found
            self.added += 1
        return found

    def romaji(self, normalized: str) -> str:
        key = _ROMAJI + normalized
        found = self.readings.get(key)
        if found is None:
            found = self.reader.romaji(normalized)
            self.readings[key] = found
            self.added += 1
        return found

    def to_save(self) -> dict[str, str]:
        return self.readings | {_RUN + run: r for run, r in self.reader.runs.items()}


def cache_key(fingerprint: str) -> str:
    return f"{fingerprint}-r{READING_FORMAT}-kakasi{version('pykakasi')}"


def load_table(cache_dir: Path | None, key: str) -> dict[str, str] | None:
    if cache_dir is None:
        return None
    path = cache_dir / f"readings-{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        # A half-written or damaged cache is only a slower start: build it again.
        log.warning("reading cache %s unusable (%s); rebuilding", path.name, exc)
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    readings = data.get("readings")
    if not isinstance(readings, dict):
        return None
    return {str(k): str(v) for k, v in readings.items()}


def save_table(cache_dir: Path | None, key: str, readings: dict[str, str]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = cache_dir / f"readings-{key}.json"
        # Written to a temporary file and renamed, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".readings-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "readings": readings}, fh, ensure_ascii=False)
        os.replace(tmp, path)
        for old in cache_dir.glob("readings-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        # A read-only checkout still works; it only starts a little slower.
        log.warning("could not write the reading cache: %s", exc)
