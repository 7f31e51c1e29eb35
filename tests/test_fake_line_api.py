"""The fake LINE Messaging API, driven through the real SDK: it must refuse what LINE refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    ButtonsTemplate,
    Configuration,
    FlexBox,
    FlexBubble,
    FlexCarousel,
    FlexMessage,
    FlexText,
    Message,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TemplateMessage,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException

from tests.fake_line_api import BOT_USER_ID, FakeLineAPI, ManualClock

USER = "U" + "1" * 32
KEY = "123e4567-e89b-12d3-a456-426614174000"




@pytest.fixture
async def client(line_api: FakeLineAPI) -> AsyncIterator[AsyncApiClient]:
    configuration = Configuration(host=line_api.base_url, access_token=line_api.access_token)
    async with AsyncApiClient(configuration) as sdk:
        yield sdk


@pytest.fixture
def line(client: AsyncApiClient) -> AsyncMessagingApi:
    return AsyncMessagingApi(client)


async def push(line: AsyncMessagingApi, *messages: Message, key: str | None = None) -> None:
    await line.push_message(
        PushMessageRequest(to=USER, messages=list(messages)), x_line_retry_key=key
    )


async def refused(line: AsyncMessagingApi, *messages: Message) -> tuple[int, str]:
    with pytest.raises(ApiException) as caught:
        await push(line, *messages)
    return int(caught.value.status), str(caught.value.body)


async def raw_push(line_api: FakeLineAPI, messages: list[dict[str, Any]]) -> tuple[int, str]:
    """A push the SDK's own checks would stop before sending: the fake must refuse it too."""
    headers = {"Authorization": f"Bearer {line_api.access_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{line_api.base_url}/v2/bot/message/push",
            headers=headers,
            json={"to": USER, "messages": messages},
        ) as answer,
    ):
        return answer.status, await answer.text()


def text(value: str, **extra: Any) -> TextMessage:
    return TextMessage(text=value, **extra)


def postback(label: str, data: str = "d", shown: str | None = "shown") -> PostbackAction:
    return PostbackAction(label=label, data=data, display_text=shown)


def quick(*actions: PostbackAction) -> QuickReply:
    return QuickReply(items=[QuickReplyItem(action=a) for a in actions])


async def test_push_is_recorded_per_user(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    await push(line, text("一"), text("二"))
    await push(line, text("三"))
    assert line_api.texts(USER) == ["一", "二", "三"]
    assert line_api.texts("U" + "2" * 32) == []
    assert [s.via for s in line_api.sent] == ["push"] * 3


async def test_wrong_or_missing_token_is_401(line_api: FakeLineAPI) -> None:
    configuration = Configuration(host=line_api.base_url, access_token="someone-else")
    async with AsyncApiClient(configuration) as sdk:
        with pytest.raises(ApiException) as caught:
            await AsyncMessagingApi(sdk).push_message(
                PushMessageRequest(to=USER, messages=[text("x")])
            )
    assert caught.value.status == 401
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{line_api.base_url}/v2/bot/info") as answer,
    ):
        assert answer.status == 401
    assert line_api.sent == []


async def test_reply_token_works_once(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    token = line_api.issue_reply_token(USER)
    await line.reply_message(ReplyMessageRequest(reply_token=token, messages=[text("はい")]))
    with pytest.raises(ApiException) as caught:
        await line.reply_message(ReplyMessageRequest(reply_token=token, messages=[text("again")]))
    assert caught.value.status == 400
    assert "Invalid reply token" in str(caught.value.body)
    assert line_api.texts(USER) == ["はい"]
    assert line_api.sent[0].via == "reply"


async def test_reply_token_expires(
    line_api: FakeLineAPI, line: AsyncMessagingApi, line_clock: ManualClock
) -> None:
    token = line_api.issue_reply_token(USER, ttl=60)
    line_clock.now += 61
    with pytest.raises(ApiException) as caught:
        await line.reply_message(ReplyMessageRequest(reply_token=token, messages=[text("late")]))
    assert caught.value.status == 400
    unknown = "0" * 32
    with pytest.raises(ApiException):
        await line.reply_message(ReplyMessageRequest(reply_token=unknown, messages=[text("?")]))
    assert line_api.sent == []


async def test_a_repeated_retry_key_is_409_and_sent_once(
    line_api: FakeLineAPI, line: AsyncMessagingApi
) -> None:
    await push(line, text("once"), key=KEY)
    with pytest.raises(ApiException) as caught:
        await push(line, text("once"), key=KEY)
    assert caught.value.status == 409
    assert caught.value.headers is not None
    assert caught.value.headers.get("X-Line-Accepted-Request-Id")
    assert line_api.texts(USER) == ["once"]
    await push(line, text("other"), key="223e4567-e89b-12d3-a456-426614174000")
    assert line_api.texts(USER) == ["once", "other"]


async def test_a_retry_key_must_be_a_uuid(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    with pytest.raises(ApiException) as caught:
        await push(line, text("x"), key="not-a-uuid")
    assert caught.value.status == 400
    assert line_api.sent == []


async def test_a_failed_call_does_not_use_up_its_retry_key(
    line_api: FakeLineAPI, line: AsyncMessagingApi
) -> None:
    line_api.fail_next(1, 500)
    with pytest.raises(ApiException) as caught:
        await push(line, text("x"), key=KEY)
    assert caught.value.status == 500
    await push(line, text("x"), key=KEY)
    assert line_api.texts(USER) == ["x"]


async def test_faults_answer_429_with_retry_after_then_500(
    line_api: FakeLineAPI, line: AsyncMessagingApi
) -> None:
    line_api.fail_next(2, 429, retry_after=3)
    line_api.fail_next(1, 500)
    statuses = []
    for _ in range(3):
        with pytest.raises(ApiException) as caught:
            await push(line, text("x"))
        statuses.append(caught.value.status)
        if caught.value.status == 429:
            assert caught.value.headers is not None
            assert caught.value.headers.get("Retry-After") == "3"
    assert statuses == [429, 429, 500]
    await push(line, text("x"))
    assert line_api.texts(USER) == ["x"]


async def test_bot_info_and_content(
    line_api: FakeLineAPI, client: AsyncApiClient, line: AsyncMessagingApi
) -> None:
    info = await line.get_bot_info()
    assert info.user_id == BOT_USER_ID
    blob = AsyncMessagingApiBlob(client)
    line_api.add_content("4242", b"\x89PNG...", "image/png")
    assert await blob.get_message_content("4242") == b"\x89PNG..."
    with pytest.raises(ApiException) as caught:
        await blob.get_message_content("9999")
    assert caught.value.status == 404


async def test_at_most_five_messages(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    status, body = await raw_push(line_api, [text(str(n)).to_dict() for n in range(6)])
    assert status == 400
    assert '"property": "messages"' in body
    assert (await raw_push(line_api, []))[0] == 400
    await push(line, *[text(str(n)) for n in range(5)])
    assert len(line_api.texts(USER)) == 5


async def test_text_length_in_utf16_units(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    assert (await refused(line, text("あ" * 5001)))[0] == 400
    # An emoji outside the BMP counts twice, as LINE counts it.
    assert (await refused(line, text("🍎" * 2501)))[0] == 400
    await push(line, text("あ" * 5000), text("🍎" * 2500))
    assert len(line_api.texts(USER)) == 2


async def test_quick_reply_limits(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    fourteen = [postback(str(n)) for n in range(14)]
    too_many = text("x", quick_reply=quick(*fourteen[:13])).to_dict()
    too_many["quickReply"]["items"].append(too_many["quickReply"]["items"][0])
    assert (await raw_push(line_api, [too_many]))[0] == 400
    assert (await refused(line, text("x", quick_reply=quick(postback("a" * 21)))))[0] == 400
    loud = text("x", quick_reply=quick(postback("a"))).to_dict()
    loud["quickReply"]["items"][0]["action"]["data"] = "d" * 301
    assert (await raw_push(line_api, [loud]))[0] == 400
    assert (await refused(line, text("x", quick_reply=quick(postback("a", shown=None)))))[0] == 400
    await push(line, text("x", quick_reply=quick(*fourteen[:13])))
    await push(line, text("y", quick_reply=quick(postback("a" * 20, "d" * 300))))
    assert line_api.texts(USER) == ["x", "y"]


async def test_template_basics(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    def buttons(count: int, body: str = "選んでください") -> TemplateMessage:
        return TemplateMessage(
            alt_text="選択",
            template=ButtonsTemplate(text=body, actions=[postback(f"b{n}") for n in range(count)]),
        )

    assert (await refused(line, buttons(5)))[0] == 400
    assert (await refused(line, buttons(2, "あ" * 161)))[0] == 400
    await push(line, buttons(4))
    assert line_api.messages(USER)[0]["type"] == "template"


async def test_flex_basics(line_api: FakeLineAPI, line: AsyncMessagingApi) -> None:
    def bubble(label: str = "はい") -> FlexBubble:
        return FlexBubble(
            body=FlexBox(
                layout="vertical",
                contents=[
                    FlexBox(
                        layout="vertical",
                        contents=[FlexText(text=label, wrap=True)],
                        action=postback("はい"),
                    )
                ],
            )
        )

    status, body = await refused(
        line,
        FlexMessage(alt_text="x", contents=FlexCarousel(contents=[bubble() for _ in range(13)])),
    )
    assert status == 400 and "contents" in body
    assert (await refused(line, FlexMessage(alt_text="x" * 401, contents=bubble())))[0] == 400
    await push(line, FlexMessage(alt_text="選択", contents=bubble("長い選択肢の名前" * 5)))
    assert line_api.messages(USER)[0]["type"] == "flex"
    assert line_api.refusals
    assert all(path == "/v2/bot/message/push" for path, _ in line_api.refusals)
