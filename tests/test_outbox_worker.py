"""The outbox worker on a virtual clock: Telegram's pace kept, bursts combined, RetryAfter
waited out, network errors backed off, refusals handed to someone who can act, and every
notification delivered exactly once, also across a restart."""

from __future__ import annotations

import itertools
import random
from typing import SupportsIndex

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.pacing import Limits, Pacer, digest_size
from tests.desk_world import GROUP, A, Sent, World, make_ticket
from tests.fakes import tg

# Building a RetryAfter makes PTB itself warn about the attribute's future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def group_sends(world: World) -> list[Sent]:
    return [s for s in world.to(GROUP) if s.method == "send"]


def references_sent(sent: list[Sent]) -> list[str]:
    import re

    return [ref for s in sent for ref in re.findall(r"K-\d{4}", s.text)]


def most_in_a_window(times: list[float], window: float) -> int:
    return max((sum(1 for u in times if t <= u < t + window) for t in times), default=0)


async def run_for(world: World, seconds: float) -> None:
    """Let the worker work for ``seconds`` of virtual time."""
    until = world.virtual.now + seconds
    while True:
        delay = await world.worker.tick()
        step = min(max(delay, 0.0), until - world.virtual.now)
        if step <= 0 and delay > 0:
            return
        world.virtual.advance(step)


async def test_thirty_tickets_in_one_minute_keep_the_group_limit(world: World) -> None:
    references = []
    for _ in range(30):  # one every two seconds
        references.append(await make_ticket(world))
        await run_for(world, 2.0)
    await world.deliver(max_seconds=120)

    sent = group_sends(world)
    assert sorted(references_sent(sent)) == sorted(references)  # each exactly once
    times = [s.at for s in sent]
    assert most_in_a_window(times, 60.0) <= 20 - world.limits.group_reserve
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert any(len(references_sent([s])) > 1 for s in sent), "the burst became a digest"
    assert times[-1] <= 90.0  # nothing waits long: the last notice within 1.5 minutes
    for s in sent:
        assert "Secret Name" not in s.text
    [unsent] = await world.rows("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
    assert unsent["n"] == 0


async def test_a_burst_all_at_once_becomes_digests(world: World) -> None:
    references = [await make_ticket(world) for _ in range(30)]
    await world.deliver()
    sent = group_sends(world)
    assert len(sent) == 2  # 15 notices per digest
    assert sorted(references_sent(sent)) == sorted(references)
    assert len(sent[0].buttons) == 30  # "Take" and "Details" for each
    tickets = await world.rows("SELECT DISTINCT group_message_id FROM tickets")
    assert {t["group_message_id"] for t in tickets} == {s.message_id for s in sent}
    batches = await world.rows("SELECT DISTINCT batch FROM outbox")
    assert len(batches) == 2


async def test_a_few_notices_go_one_by_one_a_second_apart(world: World) -> None:
    for _ in range(3):
        await make_ticket(world)
    await world.deliver()
    sent = group_sends(world)
    assert [len(references_sent([s])) for s in sent] == [1, 1, 1]
    assert [round(s.at - sent[0].at) for s in sent] == [0, 1, 2]


async def test_retry_after_is_waited_out_before_anything_else_goes(world: World) -> None:
    world.bot.fail = [RetryAfter(7)]
    reference = await make_ticket(world)
    await world.deliver()
    [(first_try, _), (second_try, _)] = world.bot.attempts
    assert second_try - first_try >= 7.0
    [sent] = group_sends(world)
    assert references_sent([sent]) == [reference]
    [row] = await world.rows("SELECT attempts, last_error, sent_at FROM outbox")
    assert (row["attempts"], row["last_error"]) == (2, "RetryAfter") and row["sent_at"]


async def test_network_errors_back_off_exponentially_and_deliver_once(world: World) -> None:
    world.bot.fail = [NetworkError("Bad Gateway"), TimedOut(), NetworkError("500")]
    await make_ticket(world)
    await world.deliver()
    times = [t for t, _ in world.bot.attempts]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Base 1 s doubling, with jitter between half and all of it: 0.5–1, 1–2, 2–4.
    assert 0.5 <= gaps[0] <= 1.0 and 1.0 <= gaps[1] <= 2.0 and 2.0 <= gaps[2] <= 4.0
    assert len(group_sends(world)) == 1


async def test_a_refused_private_chat_turns_into_a_hint_in_the_group(world: World) -> None:
    reference = await make_ticket(world)
    [notice] = await world.deliver()
    await world.private(A).command("start")
    await world.group(A).press(notice.button("v1:dk:c"), notice)
    world.bot.refusing = {A}  # the chat was opened once, then the bot was blocked
    sent = await world.deliver()
    assert world.to(A, sent) == []
    [hint] = [s for s in world.to(GROUP, sent) if s.method == "send"]
    assert f"Aoki: to receive the details of {reference}" in hint.text
    [failed] = await world.rows("SELECT kind, last_error FROM outbox WHERE failed_at IS NOT"
                                " NULL")
    assert failed == {"kind": "ticket_details", "last_error": "Forbidden"}


async def test_html_telegram_refuses_goes_out_as_plain_text(world: World) -> None:
    world.bot.fail = [BadRequest("Bad Request: can't parse entities: Unexpected < at byte 3")]
    await make_ticket(world)
    await world.deliver()
    [notice] = group_sends(world)
    assert len(world.bot.attempts) == 2 and "<b>" not in notice.text and "K-0001" in notice.text
    [row] = await world.rows("SELECT sent_at, failed_at FROM outbox")
    assert row["sent_at"] and not row["failed_at"]


async def test_a_bad_request_is_given_up_not_retried(world: World) -> None:
    world.bot.fail = [BadRequest("Bad Request: message is too long")]
    await make_ticket(world)
    await world.deliver()
    assert len(world.bot.attempts) == 1 and group_sends(world) == []
    [row] = await world.rows("SELECT failed_at, last_error FROM outbox")
    assert row["failed_at"] and row["last_error"] == "BadRequest"


async def test_nothing_is_lost_or_sent_twice_across_a_restart(world: World) -> None:
    first = await make_ticket(world)
    await world.deliver()
    world.bot.fail = [NetworkError("down")] * 3
    second = await make_ticket(world)
    third = await make_ticket(world)
    await world.worker.tick()  # fails: both are still waiting
    await world.restart()
    world.bot.fail = []
    world.virtual.advance(30)
    await world.deliver()
    assert sorted(references_sent(group_sends(world))) == sorted([first, second, third])


async def test_a_digest_is_retried_as_the_same_digest(world: World) -> None:
    for _ in range(5):
        await make_ticket(world)
    world.bot.fail = [NetworkError("down")]
    await world.worker.tick()
    late = await make_ticket(world)  # arrives while the digest waits for its retry
    await world.deliver()
    sent = group_sends(world)
    assert [references_sent([s]) for s in sent] == [
        ["K-0001", "K-0002", "K-0003", "K-0004", "K-0005"], [late]]


async def test_a_flaky_api_still_delivers_every_notification_exactly_once(world: World) -> None:
    rng = random.Random(7)

    class Flaky(list[TelegramError]):
        # Fails about half of the calls: 429s, 5xx and timeouts.
        def __bool__(self) -> bool:
            return rng.random() < 0.5

        def pop(self, index: SupportsIndex = -1) -> TelegramError:
            return rng.choice([RetryAfter(1), NetworkError("502"), TimedOut()])

    world.bot.fail = Flaky()
    references = [await make_ticket(world) for _ in range(8)]
    await world.deliver(max_seconds=600)
    assert sorted(references_sent(group_sends(world))) == sorted(references)
    failures = len(world.bot.attempts) - len(world.bot.sent)
    assert failures >= 3, "the API really failed"
    [unsent] = await world.rows("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
    assert unsent["n"] == 0


def test_the_pacer_counts_a_sliding_window_per_group() -> None:
    now = [0.0]
    pacer = Pacer(Limits(group_messages=5, group_window=10.0, group_reserve=1),
                  clock=lambda: now[0])
    for second in range(4):
        now[0] = float(second)
        assert pacer.wait(tg(GROUP)) == 0.0
        pacer.record(tg(GROUP))
    now[0] = 4.0
    assert pacer.budget(tg(GROUP)) == 0 and pacer.wait(tg(GROUP)) == pytest.approx(6.0)
    assert pacer.wait(tg(A)) == 0.0  # a private chat is not held up by the group
    now[0] = 10.0
    assert pacer.budget(tg(GROUP)) == 1 and pacer.wait(tg(GROUP)) == 0.0
    pacer.pause(5)
    assert pacer.wait(tg(A)) == pytest.approx(5.0) and pacer.wait_overall() == pytest.approx(5.0)


def test_digests_are_for_bursts_only() -> None:
    limits = Limits()
    assert digest_size(1, 17, limits) == 1
    assert digest_size(3, 17, limits) == 1  # a few: one by one
    assert digest_size(4, 17, limits) == 4  # a burst: together
    assert digest_size(2, 1, limits) == 2  # the budget is short: together
    assert digest_size(40, 17, limits) == 15
