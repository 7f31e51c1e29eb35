"""LINE's events kept, handled once and in order, answered by reply token or push, and none
lost to a crash (the end-to-end proof against the real ``tsunagu run`` is test_e2e_line.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi
from pydantic import SecretStr

from bot.housekeeping import run_housekeeping
from bot.line.client import LineSender, event_source, messaging_client
from bot.line.config import LineSettings
from bot.line.inbound import Step, to_action
from bot.line.inbox import LineInbox, Unfollowed
from bot.line.outbound import LineOutbound
from bot.line.render import ButtonDataTooLong, render
from bot.line.webhook import ReceivedEvent, parse_event
from bot.outbound import Refused
from bot.services import Services, event_key
from content.loader import DEFAULT_CONTENT_DIR
from flows.address import address
from flows.model import Outcome, Reply
from flows.text import to_plain
from storage.database import Database
from storage.repos import Tx
from tests.fake_line_api import (
    FakeLineAPI,
    Json,
    ManualClock,
    follow_event,
    postback_event,
    sticker_event,
    text_event,
    unfollow_event,
)

USER = "U" + "b" * 32
OTHER = "U" + "c" * 32
NOW = datetime(2026, 5, 11, 10, 0, tzinfo=UTC)


def received(*raws: Json) -> list[ReceivedEvent]:
    return [ReceivedEvent(str(raw["webhookEventId"]), False, parse_event(raw), raw) for raw in raws]


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    started = await Services.start(tmp_path / "t.db", DEFAULT_CONTENT_DIR)
    yield started
    await started.close()


@pytest.fixture
async def client(line_api: FakeLineAPI) -> AsyncIterator[AsyncApiClient]:
    settings = LineSettings(
        channel_secret=SecretStr("0123456789abcdef0123456789abcdef"),
        channel_access_token=SecretStr(line_api.access_token),
        api_base_url=line_api.base_url,
    )
    async with messaging_client(settings) as sdk:
        yield sdk


@pytest.fixture
def inbox(services: Services, client: AsyncApiClient, line_clock: ManualClock) -> LineInbox:
    return LineInbox(services, LineSender(AsyncMessagingApi(client), clock=line_clock, timeout=5))


async def test_the_store_keeps_an_event_once_and_drops_its_text_when_handled(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "s.db")
    try:
        async with db.transaction() as tx:
            assert await tx.line_inbox.keep("E1", '{"text": "娘が"}', NOW)
            assert await tx.line_inbox.keep("E2", "{}", NOW + timedelta(seconds=1))
            assert not await tx.line_inbox.keep("E1", '{"text": "again"}', NOW)
            assert [e.event_id for e in await tx.line_inbox.pending()] == ["E1", "E2"]
            assert (await tx.line_inbox.pending())[0].raw == '{"text": "娘が"}'
            await tx.line_inbox.handled("E1", NOW)
            assert [e.event_id for e in await tx.line_inbox.pending()] == ["E2"]
            assert await tx.line_inbox.is_handled("E1")
            assert not await tx.line_inbox.is_handled("E2")
            # A week on: the handled id is forgotten, the one not handled yet is not.
            assert await tx.line_inbox.forget_before(NOW + timedelta(days=8)) == 1
            assert [e.event_id for e in await tx.line_inbox.pending()] == ["E2"]
            await tx.line_inbox.unfollowed(USER, NOW)
            assert await tx.line_inbox.has_unfollowed(USER)
            assert await tx.line_inbox.all_unfollowed() == [USER]
            await tx.line_inbox.followed(USER)
            assert not await tx.line_inbox.has_unfollowed(USER)
            await tx.line_inbox.handled("E2", NOW)
            assert await tx.line_inbox.keep("E3", '{"text": "息子が"}', NOW)
            await tx.line_inbox.handled("E3", NOW)
        async with db.transaction() as tx:
            async with tx.conn.execute("SELECT COUNT(*) FROM line_inbox WHERE raw IS NULL") as cur:
                row = await cur.fetchone()
        assert row is not None and row[0] == 2  # the texts went when they were handled
    finally:
        await db.close()


async def test_follow_is_welcomed_and_a_question_answered_by_reply(
    inbox: LineInbox, line_api: FakeLineAPI
) -> None:
    await inbox.keep(
        received(follow_event(line_api, USER), text_event(line_api, USER, "訪問看護を使いたい"))
    )
    await inbox.drain()
    vias = {s.via for s in line_api.sent}
    assert vias == {"reply"}
    texts = line_api.texts(USER)
    assert any("119" in t for t in texts)  # the welcome's emergency note
    assert any("訪問看護" in t for t in texts[1:])


async def test_a_family_whose_line_is_in_english_is_welcomed_in_english(
    inbox: LineInbox, line_api: FakeLineAPI
) -> None:
    line_api.languages[USER] = "en"
    await inbox.keep(received(follow_event(line_api, USER)))
    await inbox.drain()
    welcome = " ".join(line_api.texts(USER))
    assert "Welcome" in welcome and "119" in welcome
    # No language in the profile: Japanese, as before.
    other = "U" + "c" * 32
    await inbox.keep(received(follow_event(line_api, other)))
    await inbox.drain()
    assert any("ようこそ" in t for t in line_api.texts(other))


async def test_a_redelivered_event_is_handled_once(inbox: LineInbox, line_api: FakeLineAPI) -> None:
    raw = text_event(line_api, USER, "訪問看護を使いたい")
    await inbox.keep(received(raw))
    await inbox.drain()
    answered = len(line_api.sent)
    assert answered
    again = dict(raw, deliveryContext={"isRedelivery": True})
    await inbox.keep(received(again))
    await inbox.drain()
    assert len(line_api.sent) == answered


async def test_a_stale_token_falls_back_to_push(
    inbox: LineInbox, line_api: FakeLineAPI, line_clock: ManualClock, services: Services
) -> None:
    await inbox.keep(received(text_event(line_api, USER, "訪問看護を使いたい")))
    # Kept a while ago (the process was down): the token is past its life.
    async with services.db.transaction() as tx:
        await tx.conn.execute(
            "UPDATE line_inbox SET received_at = ?",
            ((datetime.now(UTC) - timedelta(minutes=5)).isoformat(),),
        )
    await inbox.drain()
    assert {s.via for s in line_api.sent} == {"push"}
    assert all(c.retry_key for c in line_api.calls if c.path.endswith("/push"))


async def test_answers_saved_before_a_crash_are_sent_after_it(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services
) -> None:
    # The step is saved, then the process dies before sending.
    saved = await kept_and_processed(inbox, line_api, services)
    assert saved.replies
    assert line_api.sent == []
    # After the restart: the kept answers go out, the step is not run again.
    async with services.db.transaction() as tx:
        views_before = await _faq_views(tx)
    assert views_before == 1  # the step's own trace: running it again would add one
    await inbox.drain()
    assert len(line_api.sent) == len(saved.replies)
    assert line_api.texts(USER)[0][:30] == to_plain(saved.replies[0].text)[:30]
    async with services.db.transaction() as tx:
        assert await _faq_views(tx) == views_before
        assert await tx.line_inbox.pending() == []
    sent = len(line_api.sent)
    await inbox.drain()
    assert len(line_api.sent) == sent


async def kept_and_processed(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services
) -> Outcome:
    """A question kept in the inbox and its step run, its answer saved and not sent: the
    state a crash right after the step leaves."""
    raw = text_event(line_api, USER, "訪問看護を使いたい")
    await inbox.keep(received(raw))
    action = to_action(parse_event(raw))
    assert isinstance(action, Step)
    saved = await services.process(action.inbound, event_key("line", str(raw["webhookEventId"])))
    assert saved is not None
    return saved


async def _faq_views(tx: Tx) -> int:
    async with tx.conn.execute("SELECT COUNT(*) FROM faq_views") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_events_kept_before_a_crash_are_handled_in_order_after_it(
    inbox: LineInbox, line_api: FakeLineAPI
) -> None:
    await inbox.keep(
        received(
            postback_event(line_api, USER, "v1:req"),
            text_event(line_api, OTHER, "訪問看護を使いたい"),
            sticker_event(line_api, USER),
        )
    )
    await inbox.drain()
    order = [s.to for s in line_api.sent]
    # USER's button, then OTHER's question, then USER's sticker.
    assert order[0] == USER and order[-1] == USER and OTHER in order
    assert line_api.texts(OTHER)
    assert any("言葉" in t or "文字" in t or "words" in t for t in line_api.texts(USER))


async def test_line_failing_is_retried_and_sent_once(
    inbox: LineInbox, line_api: FakeLineAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.line.inbox.SEND_RETRY_FIRST_S", 0.01)
    line_api.fail_next(2, 500)
    await inbox.keep(received(text_event(line_api, USER, "訪問看護を使いたい")))
    await inbox.drain()
    statuses = [c.status for c in line_api.calls]
    assert statuses[:2] == [500, 500] and statuses[2:] and set(statuses[2:]) == {200}
    assert len(line_api.texts(USER)) == len({t for t in line_api.texts(USER)})


async def test_unfollow_is_recorded_and_a_new_follow_clears_it(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services
) -> None:
    await inbox.keep(received(unfollow_event(USER)))
    await inbox.drain()
    async with services.db.transaction() as tx:
        assert await tx.line_inbox.has_unfollowed(USER)
    assert line_api.sent == []
    assert USER in inbox.unfollowed and OTHER not in inbox.unfollowed
    assert USER in await Unfollowed.load(services)  # as a restart reads it
    await inbox.keep(received(follow_event(line_api, USER)))
    await inbox.drain()
    async with services.db.transaction() as tx:
        assert not await tx.line_inbox.has_unfollowed(USER)
    assert line_api.texts(USER)
    assert USER not in inbox.unfollowed


async def test_a_failing_step_is_apologised_for_and_does_not_hold_up_the_rest(
    inbox: LineInbox,
    line_api: FakeLineAPI,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = services.engine.handle
    calls = {"n": 0}

    async def broken(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a bug")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services.engine, "handle", broken)
    await inbox.keep(
        received(
            text_event(line_api, USER, "訪問看護を使いたい"),
            text_event(line_api, OTHER, "訪問看護を使いたい"),
        )
    )
    await inbox.drain()
    assert any("Sorry" in t for t in line_api.texts(USER))
    assert line_api.texts(OTHER)


async def test_housekeeping_forgets_handled_events_after_a_week(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services
) -> None:
    handled = text_event(line_api, USER, "訪問看護を使いたい")
    await inbox.keep(received(handled))
    await inbox.drain()
    waiting = text_event(line_api, OTHER, "訪問看護を使いたい")
    await inbox.keep(received(waiting))
    await run_housekeeping(services, datetime.now(UTC) + timedelta(days=8))
    async with services.db.transaction() as tx:
        assert not await tx.line_inbox.is_handled(str(handled["webhookEventId"]))
        pending = await tx.line_inbox.pending()
    assert [e.event_id for e in pending] == [waiting["webhookEventId"]]


async def test_answers_line_cannot_show_are_given_up_without_holding_up_the_rest(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unrenderable(*args: object, **kwargs: object) -> object:
        raise ButtonDataTooLong("button data of 301 characters")

    monkeypatch.setattr("bot.line.inbox.render", unrenderable)
    await inbox.keep(received(text_event(line_api, USER, "訪問看護を使いたい")))
    await inbox.drain()
    monkeypatch.undo()
    await inbox.keep(received(text_event(line_api, OTHER, "訪問看護を使いたい")))
    await inbox.drain()
    assert line_api.messages(USER) == [] and line_api.texts(OTHER)
    async with services.db.transaction() as tx:
        assert await tx.line_inbox.pending() == []


async def test_pushes_to_a_family_who_unfollowed_are_refused_without_a_call(
    client: AsyncApiClient, line_api: FakeLineAPI, line_clock: ManualClock
) -> None:
    unfollowed = Unfollowed([USER])
    outbound = LineOutbound(
        LineSender(AsyncMessagingApi(client), clock=line_clock, timeout=5), unfollowed=unfollowed
    )
    assert (outbound.channel, outbound.can_edit) == ("line", False)
    with pytest.raises(Refused):
        await outbound.send(address("line", USER), Reply(text="受付番号 K-0001"), key="outbox:1")
    assert line_api.calls == []
    await outbound.send(address("line", OTHER), Reply(text="受付番号 K-0002"), key="outbox:2")
    assert line_api.texts(OTHER) == ["受付番号 K-0002"]
    unfollowed.discard(USER)  # followed again
    await outbound.send(address("line", USER), Reply(text="受付番号 K-0001"), key="outbox:1")
    assert line_api.texts(USER) == ["受付番号 K-0001"]


async def test_a_reply_sent_before_a_crash_is_not_pushed_again_after_it(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services, client: AsyncApiClient
) -> None:
    raw = text_event(line_api, USER, "訪問看護を使いたい")
    await inbox.keep(received(raw))
    action = to_action(parse_event(raw))
    assert isinstance(action, Step) and action.reply_token is not None
    key = event_key("line", str(raw["webhookEventId"]))
    saved = await services.process(action.inbound, key)
    assert saved is not None
    # The reply goes out by the token, and the process dies before noting it.
    await inbox.sender.send(
        USER,
        render(saved.replies),
        source=event_source(str(raw["webhookEventId"])),
        reply_token=inbox.sender.token(action.reply_token),
    )
    sent = len(line_api.sent)
    assert {s.via for s in line_api.sent} == {"reply"}
    # After the restart the token is refused (used): the answer is not pushed a second time.
    restarted = LineInbox(services, inbox.sender)
    await restarted.drain()
    assert len(line_api.sent) == sent
    async with services.db.transaction() as tx:
        assert await tx.line_inbox.pending() == []


async def test_a_reply_not_sent_before_a_crash_goes_out_once_after_it(
    inbox: LineInbox, line_api: FakeLineAPI, services: Services
) -> None:
    saved = await kept_and_processed(inbox, line_api, services)
    assert line_api.sent == []
    restarted = LineInbox(services, inbox.sender)
    await restarted.drain()
    assert len(line_api.sent) == len(render(saved.replies)[0])
    assert {s.via for s in line_api.sent} == {"reply"}


async def test_a_fresh_token_refused_after_an_earlier_try_counts_as_sent(
    inbox: LineInbox, line_api: FakeLineAPI
) -> None:
    batches = render([Reply(text="こんにちは")])
    token = inbox.sender.token(line_api.issue_reply_token(USER))
    assert await inbox.sender.send(USER, batches, source="event:a", reply_token=token) == ["reply"]
    # The same answer tried again (its first answer lost on the way back): not shown twice.
    again = await inbox.sender.send(
        USER, batches, source="event:a", reply_token=token, token_tried=True
    )
    assert again == ["already"] and len(line_api.sent) == 1
    # Without an earlier try, a refused token means it expired: the answer is pushed.
    assert await inbox.sender.send(USER, batches, source="event:b", reply_token=token) == ["push"]
