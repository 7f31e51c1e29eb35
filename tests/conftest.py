"""Fixtures shared by several test modules. Plain helpers live in the helper modules
(fakes.py, intake_fakes.py, desk_world.py, running_desk.py, ...); a fixture used by one
module only stays in that module."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.bot_process import clean_env, tsunagu_command
from tests.desk_world import World
from tests.fake_bot_api import FakeBotAPI
from tests.fake_line_api import FakeLineAPI, ManualClock
from tests.running_desk import START_TIMEOUT, TOKEN, Desk, StartDesk

# --- the real ``tsunagu run`` against the fake Bot API (tests/test_e2e_*.py) ---------------


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def start_desk(api: FakeBotAPI, tmp_path: Path) -> Iterator[StartDesk]:
    started: list[Desk] = []

    def start(log_level: str = "INFO", **more: str) -> Desk:
        n = len(started)
        out, err = tmp_path / f"stdout{n}.log", tmp_path / f"stderr{n}.log"
        env = clean_env(
            TSUNAGU_BOT_TOKEN=TOKEN,
            TSUNAGU_API_BASE_URL=api.base_url,
            TSUNAGU_DB=str(tmp_path / "t.db"),
            TSUNAGU_POLL_TIMEOUT="1",
            TSUNAGU_LOG_LEVEL=log_level,
            **more,
        )
        with out.open("wb") as out_file, err.open("wb") as err_file:
            # The temp dir as working directory: no .env of the checkout is read.
            process = subprocess.Popen(
                tsunagu_command(), cwd=tmp_path, env=env, stdout=out_file, stderr=err_file
            )
        desk = Desk(process, out, err)
        started.append(desk)
        polls_before = len(api.calls_of("getUpdates"))
        try:
            api.wait_for_call("getUpdates", timeout=START_TIMEOUT, count=polls_before + 1)
        except TimeoutError:
            desk.kill()
            pytest.fail(f"tsunagu run did not start polling:\n{desk.output()[-3000:]}")
        return desk

    yield start
    for desk in started:
        desk.kill()


# --- the coordinators' desk on a SQLite file (tests/desk_world.py) --------------------------


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await World.open(tmp_path, locale="en")
    yield world
    await world.close()


@pytest.fixture
def line_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def line_api(line_clock: ManualClock) -> AsyncIterator[FakeLineAPI]:
    """The fake LINE Messaging API on 127.0.0.1, on a clock the test moves."""
    async with FakeLineAPI(clock=line_clock) as fake:
        yield fake



@pytest.fixture
async def live_line_api() -> AsyncIterator[FakeLineAPI]:
    """The fake LINE API on the real clock, for the real ``tsunagu run`` (whose reply tokens
    age on the real clock too)."""
    async with FakeLineAPI() as fake:
        yield fake
