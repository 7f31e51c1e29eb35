"""The real ``tsunagu run`` of the end-to-end tests: whether it can start here, a handle on
the process, and how long to wait for it (the fixtures that start it are in conftest.py)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
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


# The family of the desk's end-to-end runs.
PARENT = 700_888


def stepper(fake: FakeBotAPI) -> Callable[..., Json]:
    """Push something, then wait for a message containing ``expect`` in ``chat``."""
    def step(push: Callable[[], object], expect: str, chat: int = PARENT) -> Json:
        before = len(fake.messages(chat))
        push()
        return wait_for_text(fake, chat, expect, before)

    return step


def request_as_parent(fake: FakeBotAPI) -> None:
    """The parent's whole request from the buttons, through to its reference."""
    step = stepper(fake)

    def press(data: str, expect: str) -> Json:
        return step(lambda: fake.push_callback(PARENT, data, language_code="en"), expect)

    def text(value: str, expect: str) -> Json:
        return step(lambda: fake.push_text(PARENT, value, language_code="en"), expect)

    step(lambda: fake.push_command(PARENT, "start", language_code="en"), "v1:req")
    press("v1:req", "v1:cs:role:guardian")
    press("v1:cs:role:guardian", "v1:cs:ok")
    press("v1:cs:t:intake", "v1:cs:ok")
    press("v1:cs:ok", "v1:in:residence:v:chiyoda")
    press("v1:in:residence:v:chiyoda", "v1:in:age:cancel")
    text("4 years", "v1:in:care:done")
    press("v1:in:care:t:suction", "v1:in:care:done")
    press("v1:in:care:done", "v1:in:situation:v:home")
    press("v1:in:situation:v:home", "v1:in:support:v:none")
    press("v1:in:support:v:none", "v1:in:needs:done")
    press("v1:in:needs:t:nursery", "v1:in:needs:done")
    press("v1:in:needs:done", "v1:in:note:skip")
    press("v1:in:note:skip", "v1:in:contact:v:chat")
    press("v1:in:contact:v:phone", "v1:in:phone:cancel")
    text("090-1234-5678", "v1:in:phone_times:skip")
    press("v1:in:phone_times:skip", "v1:in:name:cancel")
    text("Hanako Chiyoda", "v1:in:summary:send")
    press("v1:in:summary:send", "K-0001")
