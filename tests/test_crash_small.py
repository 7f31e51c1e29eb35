"""Requests while ``tsunagu run`` is killed with SIGKILL at random moments (CI size).

Ten requests, three at a time, and a few kills at seeded moments: every request exists
exactly once, every conversation goes on to the end, every ticket is announced in the
coordinators' group exactly once, and no answer is lost. benchmarks/crash.py runs the
full size (100 requests) with the same code (tests/crash_run.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_run import crash_run
from tests.running_desk import needs_content

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@needs_content
def test_requests_survive_kills_at_random_moments(tmp_path: Path) -> None:
    report = crash_run(tmp_path, intakes=10, kills=4, seed=3, concurrency=3,
                       time_limit=120.0, drain_limit=60.0)
    summary = "\n".join(report.lines()) + ("\n" + report.log_tail if report.log_tail else "")
    assert report.kills == 4, summary
    assert report.finished == report.parents, summary
    assert report.tickets == report.parents and not report.duplicated, summary
    assert not report.missing, summary
    assert report.announced_once == report.parents, summary
    assert report.unsent_outbox == 0, summary
    # Updates in flight come again after a restart and answers are kept until sent.
    assert report.nudges == 0, summary


@needs_content
def test_line_families_survive_kills_in_the_middle_of_their_intakes(tmp_path: Path) -> None:
    report = crash_run(tmp_path, intakes=1, kills=4, seed=5, concurrency=1,
                       time_limit=150.0, drain_limit=60.0, line=3, line_concurrency=3)
    summary = "\n".join(report.lines()) + ("\n" + report.log_tail if report.log_tail else "")
    assert report.kills == 4 and report.line is not None, summary
    assert report.finished == report.parents == 4, summary
    assert report.tickets == report.parents and not report.duplicated, summary
    assert not report.missing and report.announced_once == report.parents, summary
    # Every event LINE was told was received is answered, and only once.
    assert report.line.events > 3 * 15 and report.line.once == report.line.events, summary
    assert report.nudges == 0, summary
