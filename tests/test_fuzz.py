"""Property-based fuzzing of the flows and the Telegram adapter with generated updates.

CI runs about 1,000 updates (derandomized: the same ones every run) in well under a minute;
``TSUNAGU_FUZZ_UPDATES=10000`` (or benchmarks/fuzz.py) runs more. What is generated and what
must hold after every update is in tests/fuzz_run.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz_run import KINDS, Fuzz

UPDATES = int(os.environ.get("TSUNAGU_FUZZ_UPDATES", "1000"))
# benchmarks/fuzz.py: other updates than CI's fixed ones, and a printed summary.
SEED = os.environ.get("TSUNAGU_FUZZ_SEED")
REPORT = bool(os.environ.get("TSUNAGU_FUZZ_REPORT"))
STEPS = 10  # updates per example: enough to reach the middle of a conversation

pytestmark = pytest.mark.timeout(max(120, UPDATES // 10))


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    fuzz = Fuzz(Path(tmp_path_factory.mktemp("fuzz"))).start()
    yield fuzz
    fuzz.stop()


@settings(
    max_examples=max(1, UPDATES // STEPS),
    derandomize=SEED is None,
    database=None,
    deadline=None,
    # The desk keeps its state from one example to the next (as a real one would), so a
    # failing example cannot be replayed alone: report it as drawn instead of shrinking it.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
@given(data=st.data())
@seed(int(SEED or 0))  # used only when not derandomized
def test_generated_updates_never_break_the_desk(desk: Fuzz, data: st.DataObject) -> None:
    desk.tally.examples += 1
    for _ in range(STEPS):
        kind, raw = desk.draw_update(data)
        desk.step(kind, raw)


def test_the_fuzzing_reached_every_kind_of_update(desk: Fuzz) -> None:
    # Runs after the property test (file order): the mix really was what it claims.
    if desk.tally.updates == 0:
        pytest.skip("the property test did not run")
    assert desk.tally.updates >= UPDATES * 0.9
    assert set(desk.tally.by_kind) == {k for k, _ in KINDS}, desk.tally.by_kind
    if REPORT:
        print()
        for line in desk.summary():
            print(line)
