"""The real ``tsunagu run`` of the end-to-end tests: whether it can start here, a handle on
the process, and how long to wait for it (the fixtures that start it are in conftest.py)."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from tests.fake_bot_api import FakeBotAPI, Json, buttons

TOKEN = "123456:TEST-token-abc"
START_TIMEOUT = 60.0  # loading content and catalogs, opening the database, getMe
REPLY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def _content_ready() -> str | None:
    """Why the full desk cannot start here, or None when it can."""
    try:
        import content.source  # noqa: F401  (pulls in the FAQ matcher)
    except ImportError as exc:
        return f"content matcher not importable yet: {exc}"
    return None


_NOT_READY = _content_ready()
needs_content = pytest.mark.skipif(_NOT_READY is not None, reason=str(_NOT_READY))


@dataclass
class Desk:
    process: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path

    def output(self) -> str:
        return self.out_path.read_text("utf-8", "replace") + self.err_path.read_text(
            "utf-8", "replace"
        )

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


class StartDesk(Protocol):
    """The ``start_desk`` fixture: start ``tsunagu run`` (settings as TSUNAGU_* keywords) and
    wait until it polls."""

    def __call__(self, log_level: str = "INFO", **more: str) -> Desk: ...


def seen(message: Json) -> str:
    """A sent message's text and its buttons' data."""
    return " ".join([message["text"], *(data for _, data in buttons(message))])


def wait_for_text(fake: FakeBotAPI, chat: int, expect: str, after: int = 0) -> Json:
    def ready() -> Json | None:
        return next((m for m in fake.messages(chat)[after:] if expect in seen(m)), None)

    return fake.wait_for(ready, REPLY_TIMEOUT, lambda: f"{expect!r} in chat {chat}")
