"""Keeps the seams honest: Telegram and SQL stay at the edges."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in imported_modules(package).items()
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
