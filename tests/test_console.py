"""The terminal driver: same engine and database, numbered buttons, clean end of input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import ConsoleDriver
from bot.services import Services

ROOT = Path(__file__).resolve().parent.parent


def run_console(db: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TSUNAGU_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input=script, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )


def test_console_conversation_and_resume_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    first = run_console(db, "1\n/offices\n/quit\n")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "つなぐ" in out and "119" in out  # the welcome
    assert "[1]" in out  # buttons as numbered choices
    assert "医療的ケア児等コーディネーター" in out  # the offices overview
    assert "<b>" not in out  # HTML is rendered as plain text

    assert "この会話は保存されています" in out  # /quit says goodbye, and that it is kept

    again = run_console(db, "")  # end of input at once
    assert again.returncode == 0, again.stderr
    assert "おかえりなさい" in again.stdout


def test_console_speaks_english_when_asked(tmp_path: Path) -> None:
    result = run_console(tmp_path / "c.db", "/help\n", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Welcome to tsunagu" in result.stdout
    assert "How to use tsunagu" in result.stdout


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    from content.loader import DEFAULT_CONTENT_DIR

    started = await Services.start(tmp_path / "s.db", DEFAULT_CONTENT_DIR)
    yield started
    await started.close()


async def test_numbers_press_buttons_and_bad_numbers_are_explained(services: Services) -> None:
    out = io.StringIO()
    driver = ConsoleDriver(services, out, "ja")
    await driver.run(io.StringIO("1\n99\n"))
    text = out.getvalue()
    assert "知りたいトピックを選んでください" in text  # "1" pressed the first menu button
    # 99 is out of range: said in words, with the choices and their numbers again.
    assert "99番の選択肢はありません" in text and "(1–" not in text
    assert text.count("[10] 🏠 メニュー") == 2
