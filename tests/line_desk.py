"""The real ``tsunagu run`` with LINE on, for the end-to-end tests: signed webhook calls in,
the fake LINE API (tests/fake_line_api.py) recording what goes out.

The fake LINE API runs in the test's event loop, so everything here waits with
``asyncio.sleep`` rather than blocking: the desk's pushes must be answered meanwhile.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.line.config import WEBHOOK_PATH
from tests.bot_process import clean_env, tsunagu_command
from tests.fake_line_api import FakeLineAPI, Json, postback_actions, signature, webhook_body
from tests.running_desk import TOKEN

SECRET = "0123456789abcdef0123456789abcdef"
START_TIMEOUT = 60.0
REPLY_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def line_env(line_api: FakeLineAPI, workdir: Path, port: int, **more: str) -> dict[str, str]:
    return clean_env(
        TSUNAGU_LINE_CHANNEL_SECRET=SECRET,
        TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN=line_api.access_token,
        TSUNAGU_LINE_API_BASE_URL=line_api.base_url,
        TSUNAGU_LINE_WEBHOOK_PORT=str(port),
        TSUNAGU_DB=str(workdir / "t.db"),
        **more,
    )


def postback_data(message: Json) -> list[str]:
    """Every button's data in a sent LINE message (quick replies and Flex boxes)."""
    return [str(action.get("data")) for action in postback_actions(message)]


def seen(message: Json) -> str:
    return " ".join(
        [str(message.get("text") or message.get("altText") or ""), *postback_data(message)]
    )


@dataclass
class LineDesk:
    """``tsunagu run`` with LINE on, restartable with the same settings and database."""

    line_api: FakeLineAPI
    workdir: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    @classmethod
    def alone(cls, line_api: FakeLineAPI, workdir: Path) -> LineDesk:
        """LINE alone: no Telegram token is set."""
        port = free_port()
        return cls(line_api, workdir, line_env(line_api, workdir, port), port)

    @classmethod
    def with_telegram(
        cls, line_api: FakeLineAPI, workdir: Path, bot_api_url: str, *, group: int,
        coordinator: str,
    ) -> LineDesk:
        """LINE and Telegram in one process: the coordinators' group and one coordinator
        (``id:office``) on the fake Bot API at ``bot_api_url``."""
        port = free_port()
        env = line_env(
            line_api,
            workdir,
            port,
            TSUNAGU_BOT_TOKEN=TOKEN,
            TSUNAGU_API_BASE_URL=bot_api_url,
            TSUNAGU_POLL_TIMEOUT="1",
            TSUNAGU_COORDINATORS_CHAT=str(group),
            TSUNAGU_COORDINATORS=coordinator,
        )
        return cls(line_api, workdir, env, port)

    async def start(self) -> LineDesk:
        log = self.workdir / f"line-desk-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            # The work dir as working directory: no .env of the checkout is read. Popen only
            # starts the process; nothing here waits on it.
            self.process = subprocess.Popen(  # noqa: ASYNC220
                tsunagu_command(),
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tsunagu run stopped:\n{self.output()[-3000:]}")
            if "LINE webhook listening" in self.output():
                return self
            await asyncio.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the LINE webhook did not start:\n{self.output()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def post(self, *events: Json, secret: str = SECRET) -> int:
        """Deliver events as LINE does, signed; the HTTP status of the answer."""
        body = webhook_body(*events)
        headers = {"X-Line-Signature": signature(secret, body), "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, data=body, headers=headers) as answer:
                return answer.status

    async def wait_for(self, user: str, expect: str, after: int = 0) -> Json:
        """The first message to ``user`` after the first ``after`` that shows ``expect``."""
        return await wait_until(
            lambda: next(
                (m for m in self.line_api.messages(user)[after:] if expect in seen(m)), None
            ),
            lambda: (
                f"{expect!r} to {user}: have {[seen(m) for m in self.line_api.messages(user)]}"
                f"\n{self.output()[-2000:]}"
            ),
        )

    async def send(self, event: Json, expect: str, user: str) -> Json:
        before = len(self.line_api.messages(user))
        assert await self.post(event) == 200
        return await self.wait_for(user, expect, before)

    def output(self) -> str:
        return "".join(p.read_text("utf-8", "replace") for p in self.logs if p.exists())

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)


async def wait_until(
    ready: Callable[[], Json | None], what: Callable[[], str], within: float = REPLY_TIMEOUT
) -> Json:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = ready()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"waited in vain for {what()}")


def intake_steps() -> Iterator[tuple[str, str, str]]:
    """A family's request from the welcome to its reference: (kind, what is sent, what the
    answer shows), with the engine's button codes as on Telegram (tests/running_desk.py)."""
    yield "press", "v1:req", "v1:cs:role:guardian"
    yield "press", "v1:cs:role:guardian", "v1:cs:ok"
    yield "press", "v1:cs:t:intake", "v1:cs:ok"
    yield "press", "v1:cs:ok", "v1:in:residence:v:chiyoda"
    yield "press", "v1:in:residence:v:chiyoda", "v1:in:age:cancel"
    yield "text", "4歳", "v1:in:care:done"
    yield "press", "v1:in:care:t:suction", "v1:in:care:done"
    yield "press", "v1:in:care:done", "v1:in:situation:v:home"
    yield "press", "v1:in:situation:v:home", "v1:in:support:v:none"
    yield "press", "v1:in:support:v:none", "v1:in:needs:done"
    yield "press", "v1:in:needs:t:nursery", "v1:in:needs:done"
    yield "press", "v1:in:needs:done", "v1:in:note:skip"
    yield "press", "v1:in:note:skip", "v1:in:contact:v:chat"
    yield "press", "v1:in:contact:v:phone", "v1:in:phone:cancel"
    yield "text", "090-1234-5678", "v1:in:phone_times:skip"
    yield "press", "v1:in:phone_times:skip", "v1:in:name:cancel"
    yield "text", "千代田花子", "v1:in:summary:send"
    yield "press", "v1:in:summary:send", "K-0001"
