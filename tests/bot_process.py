"""The real ``tsunagu run`` (or any bot command) as a child process, for end-to-end runs.

Started against a fake Bot API on 127.0.0.1, stopped with SIGTERM or killed with SIGKILL,
and measured from /proc: CPU seconds used and peak resident memory (VmHWM).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.fake_bot_api import FakeBotAPI

TOKEN = "123456:TEST-token-abc"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def tsunagu_command() -> list[str]:
    script = Path(sys.executable).parent / "tsunagu"
    if script.exists():
        return [str(script), "run"]
    return [sys.executable, "-m", "bot.cli", "run"]


def clean_env(**settings: str) -> dict[str, str]:
    # A developer's own TSUNAGU_* settings must not leak into the run under test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(settings)
    return env


def tsunagu_env(api: FakeBotAPI, workdir: Path, **more: str) -> dict[str, str]:
    settings = {
        "TSUNAGU_BOT_TOKEN": TOKEN,
        "TSUNAGU_API_BASE_URL": api.base_url,
        "TSUNAGU_DB": str(workdir / "t.db"),
        "TSUNAGU_POLL_TIMEOUT": "1",
    }
    return clean_env(**(settings | more))


@dataclass
class BotProcess:
    """One bot process; ``start`` again after ``kill`` to restart it with the same output."""

    command: Sequence[str]
    env: dict[str, str]
    workdir: Path
    api: FakeBotAPI
    name: str = "bot"
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)
    # The umask the process starts with (None: this process's own).
    umask: int | None = None

    def start(self, timeout: float = START_TIMEOUT) -> BotProcess:
        """Start and wait until the process polls for updates."""
        log = self.workdir / f"{self.name}-{self.starts}.log"
        self.logs.append(log)
        self.starts += 1
        polls_before = len(self.api.calls_of("getUpdates"))
        with log.open("wb") as out:
            # The work dir as working directory: no .env of the checkout is read.
            umask = self.umask
            self.process = subprocess.Popen(
                list(self.command), cwd=self.workdir, env=self.env, stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
        try:
            self.api.wait_for_call("getUpdates", timeout=timeout, count=polls_before + 1)
        except TimeoutError:
            self.kill()
            raise RuntimeError(
                f"{self.name} did not start polling:\n{self.output()[-3000:]}") from None
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut or an OOM kill."""
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def terminate(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def output(self) -> str:
        return "".join(p.read_text("utf-8", "replace") for p in self.logs if p.exists())

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (threads included)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def peak_rss_mb(self) -> float:
        """Peak resident memory in MB of 10^6 bytes (/proc reports KiB)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1_000_000
        return float("nan")


def wait_until(condition: Callable[[], object], timeout: float, step: float = 0.05) -> bool:
    """Poll ``condition()`` until true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
