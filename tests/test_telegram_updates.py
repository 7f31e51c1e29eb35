"""Real Telegram update JSON → the engine's Inbound, through PTB's own parsing."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.telegram.updates import to_inbound

BOT_NAME = "tsunagu_bot"
PARENT = {"id": 4242, "is_bot": False, "first_name": "花子", "language_code": "ja"}
PRIVATE = {"id": 4242, "type": "private", "first_name": "花子"}
GROUP = {"id": -100123, "type": "supergroup", "title": "コーディネーター"}


def update(**body: Any) -> Update:
    # A Bot is needed only so PTB can attach shortcuts; it is never called.
    return Update.de_json({"update_id": 9001, **body}, Bot("123456:TEST-token-abc"))


def message(
    chat: dict[str, Any] = PRIVATE, sender: dict[str, Any] = PARENT, **fields: Any
) -> dict[str, Any]:
    return {"message_id": 17, "date": 1_760_000_000, "chat": chat, "from": sender, **fields}


def command_entity(word: str) -> list[dict[str, Any]]:
    return [{"type": "bot_command", "offset": 0, "length": len(word)}]


def test_private_text_is_passed_through_as_typed() -> None:
    typed = "訪問看護を使いたい <b>&amp; 子ども</b>"
    inbound = to_inbound(update(message=message(text=typed)), BOT_NAME)
    assert inbound is not None
    assert inbound.kind == "text"
    assert inbound.text == typed  # the engine escapes, not the driver
    assert (inbound.channel, inbound.user_id, inbound.chat_id) == (
        "telegram", "telegram:4242", "telegram:4242")
    assert inbound.chat_type == "private"
    assert inbound.language_code == "ja"
    assert inbound.session_key == "telegram:4242:4242"


def test_english_client_language_is_kept() -> None:
    sender = PARENT | {"language_code": "en-GB"}
    inbound = to_inbound(update(message=message(sender=sender, text="hello")), BOT_NAME)
    assert inbound is not None and inbound.language_code == "en-GB"


def test_missing_language_code_is_none() -> None:
    sender = {k: v for k, v in PARENT.items() if k != "language_code"}
    inbound = to_inbound(update(message=message(sender=sender, text="hi")), BOT_NAME)
    assert inbound is not None and inbound.language_code is None


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("/start", "start", ""),
        ("/START", "start", ""),
        ("/help@tsunagu_bot", "help", ""),
        ("/language@Tsunagu_Bot en", "language", "en"),
        ("/language   ja  ", "language", "ja"),
        ("/faq 訪問看護\n2行目", "faq", "訪問看護\n2行目"),
    ],
)
def test_commands(text: str, command: str, args: str) -> None:
    word = text.split()[0]
    body = message(text=text, entities=command_entity(word))
    inbound = to_inbound(update(message=body), BOT_NAME)
    assert inbound is not None
    assert inbound.kind == "command"
    assert inbound.command == command
    assert inbound.text == args


def test_command_for_another_bot_is_ignored() -> None:
    body = message(chat=GROUP, text="/start@other_bot", entities=command_entity("/start@other_bot"))
    assert to_inbound(update(message=body), BOT_NAME) is None


def test_slash_that_is_not_a_command_stays_text() -> None:
    for text in ("/etc/hosts を見て", "/ すみません", "½ です"):
        inbound = to_inbound(update(message=message(text=text)), BOT_NAME)
        assert inbound is not None and inbound.kind == "text", text


def test_button_press() -> None:
    query = {
        "id": "77001",
        "from": PARENT,
        "chat_instance": "-5000",
        "data": "v1:off",
        "message": {
            "message_id": 55,
            "date": 1_760_000_000,
            "chat": PRIVATE,
            "from": {"id": 1, "is_bot": True, "first_name": "tsunagu", "username": BOT_NAME},
            "text": "メニュー",
        },
    }
    inbound = to_inbound(update(callback_query=query), BOT_NAME)
    assert inbound is not None
    assert inbound.kind == "button"
    assert inbound.button == "v1:off"
    assert (inbound.user_id, inbound.chat_id, inbound.chat_type) == (
        "telegram:4242", "telegram:4242", "private")


def test_button_press_on_inline_message_has_no_chat() -> None:
    query = {
        "id": "77002",
        "from": PARENT,
        "chat_instance": "1",
        "inline_message_id": "AAA",
        "data": "v1:off",
    }
    assert to_inbound(update(callback_query=query), BOT_NAME) is None


def test_button_press_without_data_is_refused_by_the_engine_not_crashing() -> None:
    query = {
        "id": "77003",
        "from": PARENT,
        "chat_instance": "1",
        "game_short_name": "g",
        "message": message(text="x"),
    }
    inbound = to_inbound(update(callback_query=query), BOT_NAME)
    assert inbound is not None and inbound.kind == "button" and inbound.button == ""


PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
DOCUMENT = {"file_id": "d1", "file_unique_id": "ud1", "file_name": "診断書.pdf"}


@pytest.mark.parametrize(
    ("fields", "what"),
    [
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "su",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "sticker",
        ),
        ({"photo": PHOTO, "caption": "これは何？"}, "photo"),
        ({"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}}, "voice"),
        ({"audio": {"file_id": "a", "file_unique_id": "au", "duration": 3}}, "audio"),
        (
            {"video_note": {"file_id": "n", "file_unique_id": "nu", "length": 240, "duration": 3}},
            "video_note",
        ),
        (
            {
                "video": {
                    "file_id": "v",
                    "file_unique_id": "vu",
                    "width": 1,
                    "height": 1,
                    "duration": 3,
                }
            },
            "video",
        ),
        (
            {
                "animation": {
                    "file_id": "g",
                    "file_unique_id": "gu",
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                },
                "document": DOCUMENT,
            },
            "animation",
        ),
        ({"document": DOCUMENT}, "document"),
        ({"location": {"latitude": 35.69, "longitude": 139.75}}, "location"),
        (
            {
                "venue": {
                    "location": {"latitude": 35.69, "longitude": 139.75},
                    "title": "区役所",
                    "address": "千代田区九段南1-2-1",
                },
                "location": {"latitude": 35.69, "longitude": 139.75},
            },
            "venue",
        ),
        ({"contact": {"phone_number": "0300000000", "first_name": "太郎"}}, "contact"),
        ({"dice": {"emoji": "🎲", "value": 3}}, "dice"),
        (
            {
                "poll": {
                    "id": "1",
                    "question": "?",
                    "options": [],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                    "allows_revoting": False,
                    "members_only": False,
                }
            },
            "poll",
        ),
    ],
)
def test_non_text_messages_are_unsupported(fields: dict[str, Any], what: str) -> None:
    inbound = to_inbound(update(message=message(**fields)), BOT_NAME)
    assert inbound is not None
    assert inbound.kind == "unsupported"
    assert inbound.unsupported_what == what
    assert inbound.text == ""  # a caption is not read as a question


def test_edited_messages_are_not_answered() -> None:
    edited = message(text="訪問看護を使いたいです", edit_date=1_760_000_100)
    assert to_inbound(update(edited_message=edited), BOT_NAME) is None


def test_service_messages_are_ignored() -> None:
    joined = message(chat=GROUP, new_chat_members=[PARENT])
    assert to_inbound(update(message=joined), BOT_NAME) is None
    pinned = message(pinned_message=message(text="x"))
    assert to_inbound(update(message=pinned), BOT_NAME) is None


def test_group_text_keeps_the_chat_type() -> None:
    inbound = to_inbound(update(message=message(chat=GROUP, text="確認しました")), BOT_NAME)
    assert inbound is not None
    assert inbound.chat_type == "supergroup"
    assert (inbound.user_id, inbound.chat_id) == ("telegram:4242", "telegram:-100123")


def test_messages_from_bots_are_ignored() -> None:
    other_bot = {"id": 99, "is_bot": True, "first_name": "other"}
    assert to_inbound(update(message=message(chat=GROUP, sender=other_bot, text="hi"))) is None


@pytest.mark.parametrize(
    "body",
    [
        {
            "channel_post": {
                "message_id": 1,
                "date": 1,
                "text": "お知らせ",
                "chat": {"id": -1001, "type": "channel", "title": "c"},
            }
        },
        {"inline_query": {"id": "1", "from": PARENT, "query": "訪問", "offset": ""}},
        {
            "my_chat_member": {
                "chat": PRIVATE,
                "from": PARENT,
                "date": 1,
                "old_chat_member": {"status": "member", "user": PARENT},
                "new_chat_member": {"status": "kicked", "user": PARENT, "until_date": 0},
            }
        },
        {
            "message_reaction": {
                "chat": PRIVATE,
                "message_id": 5,
                "date": 1,
                "user": PARENT,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
    ],
)
def test_updates_that_are_not_a_person_talking_are_ignored(body: dict[str, Any]) -> None:
    assert to_inbound(update(**body), BOT_NAME) is None
