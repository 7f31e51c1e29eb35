"""pykakasi's kanji dictionary read entry by entry from a rewritten file (content/matching/
kanwa.py): the same entries as pykakasi's own, the same readings, far less memory."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from content.matching.kanwa import LazyKanwaTable, build, table_path


def _original() -> dict[int, dict[str, Any]]:
    from pykakasi import properties

    settings: Any = properties.Configurations
    with open(settings.dictpath(settings.jisyo_kanwa), "rb") as file:
        table: dict[int, dict[str, Any]] = pickle.load(file)
    return table


def test_every_entry_reads_back_as_pykakasi_stored_it(tmp_path: Path) -> None:
    path = table_path(tmp_path)
    build(path)
    lazy = LazyKanwaTable(path)
    original = _original()
    assert len(lazy) == len(original)
    for key, entry in original.items():
        assert lazy.get(key) == {w: [list(r) for r in rs] for w, rs in entry.items()}, key
    assert lazy.get(0x41) is None and lazy.get(0x41, "x") == "x"


def test_readings_are_the_same_with_a_fraction_of_the_memory(tmp_path: Path) -> None:
    texts = "医療的ケア児の訪問看護と重症心身障害児のレスパイト、千代田区役所で相談したい"
    script = """
import sys, pykakasi
from pathlib import Path
if sys.argv[1] == "lazy":
    from content.matching import kanwa
    assert kanwa.install(Path(sys.argv[2]))
k = pykakasi.kakasi()
print("".join(p["hira"] for p in k.convert(sys.argv[3])))
rss = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(rss)
"""
    runs = {}
    for how in ("full", "lazy"):
        result = subprocess.run([sys.executable, "-c", script, how, str(tmp_path), texts],
                                capture_output=True, text=True, timeout=120, check=True)
        reading, peak_kb = result.stdout.split()
        runs[how] = (reading, int(peak_kb))
    assert runs["lazy"][0] == runs["full"][0]
    assert runs["lazy"][1] < runs["full"][1] - 60_000, runs  # at least 60 MB less
