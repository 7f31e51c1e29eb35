"""Keeps the seams honest: Telegram and SQL stay at the edges, and imports run one way.

bot → storage → flows → content: each layer may use those below it, never one above, so
content (the files staff edit and the code that reads and matches them) knows nothing of
the engine, the engine nothing of SQL or the drivers, and storage nothing of the drivers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# What each layer must never import: the layers above it and the edges' libraries.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "content": ("flows", "storage", "bot", "telegram", "sqlite3", "aiosqlite"),
    "flows": ("storage", "bot", "telegram", "sqlite3", "aiosqlite", "httpx"),
    "storage": ("bot", "telegram"),
}


def imported_modules(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path.relative_to(root).as_posix()] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in imported_modules(package, root).items()
        for name in names
        if name.split(".")[0] in forbidden
    ]


def test_flows_content_and_storage_never_import_telegram() -> None:
    for package in ("flows", "content", "storage"):
        assert offenders(package, ("telegram",)) == []


def test_flows_never_touch_sql_or_the_drivers() -> None:
    assert offenders("flows", ("sqlite3", "aiosqlite", "storage", "bot", "httpx")) == []


def test_the_check_itself_sees_imports(tmp_path: Path) -> None:
    # Guard against a check that cannot fail: the walker must find a real import.
    assert "flows.model" in imported_modules("flows")["flows/engine.py"]


def test_line_stays_in_its_driver() -> None:
    # The engine, content and storage know no messenger; the Telegram driver knows no LINE.
    for package in ("flows", "content", "storage", "bot/telegram"):
        assert offenders(package, ("linebot", "aiohttp")) == []
    assert offenders("bot/line", ("telegram",)) == []
    assert "linebot.v3.webhook" in imported_modules("bot/line")["bot/line/webhook.py"]
def test_each_layer_imports_only_the_layers_below_it() -> None:
    for package, forbidden in FORBIDDEN.items():
        assert offenders(package, forbidden) == [], package


def test_the_direction_check_catches_an_import_upwards(tmp_path: Path) -> None:
    # The same check on a small tree that breaks the rule in the ways code does: at the top,
    # inside a function, and as a plain ``import``.
    package = tmp_path / "content"
    (package / "matching").mkdir(parents=True)
    (package / "base.py").write_text("from datetime import date\n", "utf-8")
    (package / "loader.py").write_text(
        "def load():\n    from flows.model import Reply\n    return Reply\n", "utf-8"
    )
    (package / "matching" / "store.py").write_text("import storage.database\n", "utf-8")
    assert sorted(offenders("content", FORBIDDEN["content"], tmp_path)) == [
        "content/loader.py: flows.model",
        "content/matching/store.py: storage.database",
    ]


def test_the_desk_s_own_work_knows_no_messenger() -> None:
    # The outbound port, the outbox worker and the jobs beside the channels reach a
    # messenger only through the drivers' ports, so any channel (or none) may run.
    neutral = ("outbound", "pacing", "outbox_worker", "jobs", "upkeep", "desk_timers",
               "milestone_timer", "errors")
    modules = imported_modules("bot")
    for name in neutral:
        imports = modules[f"bot/{name}.py"]
        drivers = {m for m in imports if m.split(".")[0] in ("telegram", "linebot", "aiohttp")
                   or m.startswith(("bot.telegram", "bot.line"))}
        assert drivers == set(), name
    assert "bot.outbound" in modules["bot/outbox_worker.py"]
