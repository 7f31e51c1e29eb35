"""LINE events → what the desk does: commands by word, buttons, welcome, unfollow, the rest."""

from __future__ import annotations

import pytest

from bot.line.inbound import Ignore, Step, Unfollow, command_word, to_action
from bot.line.webhook import parse_event
from flows.address import address
from tests.fake_line_api import (
    FakeLineAPI,
    Json,
    follow_event,
    postback_event,
    sticker_event,
    text_event,
    unfollow_event,
)

USER = "U" + "a" * 32
FAMILY = address("line", USER)


def step(raw: Json) -> Step:
    action = to_action(parse_event(raw))
    assert isinstance(action, Step), action
    return action


async def test_a_text_is_a_text_from_the_family(line_api: FakeLineAPI) -> None:
    done = step(text_event(line_api, USER, "訪問看護を使いたい"))
    inbound = done.inbound
    assert (inbound.channel, inbound.user_id, inbound.chat_id) == ("line", FAMILY, FAMILY)
    assert (inbound.kind, inbound.text, inbound.chat_type) == (
        "text",
        "訪問看護を使いたい",
        "private",
    )
    assert done.reply_token and not done.follows


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("メニュー", "menu"),
        ("ＭＥＮＵ", "menu"),
        (" Menu ", "menu"),
        ("マイデータ", "mydata"),
        ("my data", "mydata"),
        ("データ削除", "withdraw"),
        ("withdraw", "withdraw"),
        ("ヘルプ", "help"),
        ("相談を申し込む", "request"),
        ("キャンセル", "cancel"),
    ],
)
async def test_words_stand_for_commands(line_api: FakeLineAPI, typed: str, command: str) -> None:
    inbound = step(text_event(line_api, USER, typed)).inbound
    assert (inbound.kind, inbound.command, inbound.text) == ("command", command, "")


async def test_slash_commands_work_as_on_telegram(line_api: FakeLineAPI) -> None:
    inbound = step(text_event(line_api, USER, "/MyData")).inbound
    assert (inbound.kind, inbound.command) == ("command", "mydata")
    inbound = step(text_event(line_api, USER, "/reply K-0042 はい")).inbound
    assert (inbound.command, inbound.text) == ("reply", "K-0042 はい")


def test_a_word_inside_a_sentence_is_no_command() -> None:
    assert command_word("メニューの見方を教えて") is None
    assert command_word("マイデータ") == "mydata"
    assert command_word("データ削除。") == "withdraw"


async def test_a_postback_is_a_button_and_a_rich_menu_command_a_command(
    line_api: FakeLineAPI,
) -> None:
    inbound = step(postback_event(line_api, USER, "v1:req")).inbound
    assert (inbound.kind, inbound.button) == ("button", "v1:req")
    inbound = step(postback_event(line_api, USER, "/withdraw")).inbound
    assert (inbound.kind, inbound.command) == ("command", "withdraw")


async def test_follow_is_the_welcome(line_api: FakeLineAPI) -> None:
    done = step(follow_event(line_api, USER))
    assert (done.inbound.kind, done.inbound.command, done.follows) == ("command", "start", True)


def test_unfollow_stops_pushes() -> None:
    assert to_action(parse_event(unfollow_event(USER))) == Unfollow(FAMILY)


async def test_a_sticker_or_an_image_asks_for_words(line_api: FakeLineAPI) -> None:
    inbound = step(sticker_event(line_api, USER)).inbound
    assert (inbound.kind, inbound.unsupported_what) == ("unsupported", "sticker")
    raw = text_event(line_api, USER, "x")
    raw["message"] = {
        "type": "image",
        "id": "325708",
        "quoteToken": "q",
        "contentProvider": {"type": "line"},
    }
    inbound = step(raw).inbound
    assert (inbound.kind, inbound.unsupported_what) == ("unsupported", "photo")


async def test_groups_rooms_and_other_kinds_are_left_alone(line_api: FakeLineAPI) -> None:
    in_group = text_event(line_api, USER, "こんにちは")
    in_group["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": USER}
    assert isinstance(to_action(parse_event(in_group)), Ignore)
    in_room = text_event(line_api, USER, "こんにちは")
    in_room["source"] = {"type": "room", "roomId": "R" + "1" * 32, "userId": USER}
    assert isinstance(to_action(parse_event(in_room)), Ignore)
    standby = text_event(line_api, USER, "こんにちは")
    standby["mode"] = "standby"
    assert isinstance(to_action(parse_event(standby)), Ignore)
    beacon = unfollow_event(USER)
    beacon.update(type="beacon", replyToken="t", beacon={"hwid": "d41d8cd98f", "type": "enter"})
    assert isinstance(to_action(parse_event(beacon)), Ignore)
    unknown = unfollow_event(USER)
    unknown["type"] = "somethingNew"
    assert isinstance(to_action(parse_event(unknown)), Ignore)
