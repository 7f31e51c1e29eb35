"""pykakasi's kanji dictionary, read from disk one first character at a time.

pykakasi unpickles its whole kanji dictionary (6,800 first characters, 9.8 MB on disk)
into Python objects: about 105 MB, more than half of what the desk process needs, for the
few hundred kanji parents actually write. Here the dictionary is rewritten once per
pykakasi version into a file of one JSON entry per first character with an index in front,
in a child process (so the desk never holds the whole of it, not even while starting), and
installed in pykakasi's shared state as a mapping that reads an entry when it is first
asked for and keeps the recently used ones.

JSON rather than pickle: the file lives in a cache directory, and reading it must not be
able to run code. pykakasi reads an entry as ``for word, readings in table.items()`` and
``for yomi, tail in readings``; lists serve as well as the tuples it stored.

    python -m content.matching.kanwa FILE     # what the child process runs
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import pickle
import struct
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Beside the readings cache (content/.index-cache, which git ignores).
DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".index-cache"
FORMAT = 1
# First characters kept decoded; a message touches a few dozen.
CACHED_ENTRIES = 2048
BUILD_TIMEOUT_S = 120.0
_HEADER = struct.Struct("<I")


def table_path(directory: Path) -> Path:
    return directory / f"kanwa-f{FORMAT}-kakasi{version('pykakasi')}.bin"


class LazyKanwaTable:
    """The ``dict.get`` pykakasi's ``Kanwa.load`` uses, over the rewritten file."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            # Mapped, not read: only the pages of entries asked for are ever loaded.
            self._data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        (length,) = _HEADER.unpack_from(self._data, 0)
        index = json.loads(self._data[_HEADER.size: _HEADER.size + length])
        self._base = _HEADER.size + length
        self._index: dict[int, tuple[int, int]] = {int(k): (v[0], v[1]) for k, v in
                                                   index.items()}
        self._entry = lru_cache(maxsize=CACHED_ENTRIES)(self._read)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def get(self, key: int, default: Any = None) -> Any:
        if key not in self._index:
            return default
        return self._entry(key)

    def _read(self, key: int) -> dict[str, list[list[Any]]]:
        offset, length = self._index[key]
        start = self._base + offset
        entry: dict[str, list[list[Any]]] = json.loads(self._data[start: start + length])
        return entry


def build(target: Path) -> None:
    """Rewrite pykakasi's dictionary into ``target`` (atomically: a reader never sees half)."""
    from pykakasi import properties

    # ``Configurations`` is an instance there (its type annotations say otherwise).
    settings: Any = properties.Configurations
    with open(settings.dictpath(settings.jisyo_kanwa), "rb") as file:
        table: dict[int, dict[str, Any]] = pickle.load(file)  # pykakasi's own file
    blobs: list[bytes] = []
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    for key, entry in table.items():
        blob = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
        index[str(key)] = (offset, len(blob))
        offset += len(blob)
        blobs.append(blob)
    header = json.dumps(index, separators=(",", ":")).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".kanwa-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_HEADER.pack(len(header)))
            out.write(header)
            for blob in blobs:
                out.write(blob)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def install(directory: Path = DEFAULT_DIR) -> bool:
    """Make pykakasi read its dictionary from the rewritten file; False: it loads its own.

    Call before pykakasi is first used. Any failure (a read-only directory, a pykakasi
    that changed its internals) leaves pykakasi as it was: slower to load, larger, right.
    """
    try:
        from pykakasi.kanji import Kanwa

        state: dict[str, Any] = Kanwa._shared_state
        if state.get("_jisyo_table") is not None or "_lock" not in state:
            return state.get("_jisyo_table") is not None
        path = table_path(directory)
        if not path.exists():
            # In a child process, so that this one never holds the whole dictionary.
            result = subprocess.run(
                [sys.executable, "-m", "content.matching.kanwa", str(path)],
                capture_output=True, timeout=BUILD_TIMEOUT_S, check=False)
            if result.returncode != 0 or not path.exists():
                log.warning("kanji dictionary not rewritten (exit %s); pykakasi loads its own",
                            result.returncode)
                return False
        table = LazyKanwaTable(path)
        with state["_lock"]:
            if state["_jisyo_table"] is None:
                state["_jisyo_table"] = table
        return True
    except (OSError, ValueError, KeyError, ImportError, subprocess.SubprocessError) as exc:
        log.warning("kanji dictionary read in full (%s)", type(exc).__name__)
        return False


if __name__ == "__main__":  # pragma: no cover - run by install() in a child process
    build(Path(sys.argv[1]))
