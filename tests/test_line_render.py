"""Engine replies as LINE messages: plain text, LINE's limits kept, buttons laid out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    FlexMessage,
    Message,
    PushMessageRequest,
    TextMessage,
)

from bot.line.render import (
    MAX_POSTBACK_DATA,
    MAX_TEXT,
    ButtonDataTooLong,
    line_length,
    render,
    split_text,
)
from flows.model import MAX_BUTTON_DATA_BYTES, Button, Keyboard, Reply
from flows.text import esc, markup, to_plain

USER = "U" + "4" * 32


def buttons(*labels: str) -> Keyboard:
    return tuple(
        (Button(label=label, data=f"pick:{n}", role="choice"),) for n, label in enumerate(labels)
    )


def flat(replies: list[Reply]) -> list[Message]:
    return [m for batch in render(replies) for m in batch]


def dicts(messages: list[Message]) -> list[dict[str, Any]]:
    return [m.to_dict() for m in messages]


def test_html_becomes_plain_text() -> None:
    html = markup(
        '<b>受付</b>しました &amp; <a href="https://www.city.chiyoda.lg.jp/?a=1&amp;b=2">'
        "区のページ</a>\n<i>#7119</i> <code>T-12</code> "
        '<a href="https://example.jp/">https://example.jp/</a>'
    )
    assert to_plain(html) == (
        "受付しました & 区のページ (https://www.city.chiyoda.lg.jp/?a=1&b=2)\n"
        "#7119 T-12 https://example.jp/"
    )


def test_what_a_person_typed_stays_as_typed() -> None:
    typed = "<b>not bold</b> & <3 &amp;"
    [message] = flat([Reply(text=typed)])
    assert isinstance(message, TextMessage) and message.text == typed
    link = markup('<a href="{}">{}</a>').format("https://x.jp/?q=<1>", "A<B & C")
    assert to_plain(link) == "A<B & C (https://x.jp/?q=<1>)"
    assert to_plain(esc("<a href='x'>y</a>")) == "<a href='x'>y</a>"


def test_long_text_is_split_under_lines_limit() -> None:
    paragraph = "医療的ケア児の支援について。" * 20 + "\n"
    text = paragraph * 40  # about 11,000 characters
    parts = split_text(text)
    assert len(parts) == 3
    assert all(0 < line_length(p) <= MAX_TEXT for p in parts)
    assert all(p.endswith("。") for p in parts)  # cut at line breaks
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_one_unbroken_line_is_cut_between_characters_not_inside_one() -> None:
    text = "🍎" * 3000 + "あ" * 10  # 6010 UTF-16 units, no line break, no space
    parts = split_text(text)
    assert [line_length(p) for p in parts] == [5000, 1010]
    assert "".join(parts) == text


def test_words_are_kept_whole_when_a_line_is_too_long() -> None:
    text = " ".join(["word"] * 2000)
    parts = split_text(text)
    assert all(line_length(p) <= MAX_TEXT for p in parts)
    assert all(set(p.split()) == {"word"} for p in parts)


def test_at_most_five_messages_per_call() -> None:
    replies = [Reply(text=f"第{n}報") for n in range(7)]
    batches = render(replies)
    assert [len(b) for b in batches] == [5, 2]
    texts = [m.text for b in batches for m in b if isinstance(m, TextMessage)]
    assert texts == [f"第{n}報" for n in range(7)]


def test_few_buttons_become_quick_replies_with_clipped_labels() -> None:
    long_label = "はい、同意して相談を続けます(保存される内容を確認しました)"
    [message] = flat([Reply(text="同意しますか？", buttons=buttons(long_label, "いいえ"))])
    assert isinstance(message, TextMessage) and message.quick_reply is not None
    first, second = (item.action for item in message.quick_reply.items)
    assert len(first.label) == 20 and first.label.endswith("…")
    assert first.display_text == long_label
    assert first.data == "pick:0"
    assert (second.label, second.display_text) == ("いいえ", "いいえ")


def test_many_buttons_or_ones_that_must_stay_become_flex() -> None:
    many = [Reply(text="どれですか", buttons=buttons(*[f"選択肢{n}" for n in range(14)]))]
    assert [type(m) for m in flat(many)] == [TextMessage, FlexMessage]
    few = [Reply(text="x", buttons=buttons("A", "B"), keep_buttons=True)]
    text, flex = flat(few)
    assert isinstance(text, TextMessage) and text.quick_reply is None
    assert isinstance(flex, FlexMessage)
    shown = str(flex.to_json())
    assert '"data": "pick:0"' in shown and '"data": "pick:1"' in shown


def test_buttons_followed_by_another_message_stay_visible() -> None:
    replies = [Reply(text="選んでください", buttons=buttons("A", "B")), Reply(text="補足")]
    kinds = [type(m) for m in flat(replies)]
    assert kinds == [TextMessage, FlexMessage, TextMessage]


def test_labels_that_clip_alike_are_not_chips() -> None:
    same_start = "千代田区医療的ケア児支援センターの窓口"
    labels = (same_start + "(平日)", same_start + "(休日)")
    [_, flex] = flat([Reply(text="x", buttons=buttons(*labels))])
    assert isinstance(flex, FlexMessage)
    rows = flex.to_dict()["contents"]["body"]["contents"]
    assert [row["contents"][0]["contents"][0]["text"] for row in rows] == list(labels)


def test_flex_keeps_full_labels_and_rows() -> None:
    label = "訪問看護ステーションの利用について相談したい"
    keyboard: Keyboard = (
        (Button(label=label, data="a", role="action"), Button(label="B", data="b", role="action")),
        (Button(label="C", data="c", role="action"),),
    )
    [_, flex] = flat([Reply(text="x", buttons=keyboard, keep_buttons=True)])
    assert isinstance(flex, FlexMessage)
    bubble = flex.to_dict()["contents"]
    rows = bubble["body"]["contents"]
    assert [len(row["contents"]) for row in rows] == [2, 1]
    first = rows[0]["contents"][0]
    assert first["contents"][0]["text"] == label
    assert len(first["action"]["label"]) <= 20 and first["action"]["displayText"] == label


def test_button_data_over_every_channels_limit_cannot_be_made() -> None:
    # Checked where buttons are made, with the smallest channel's limit (bytes), which is
    # within LINE's 300 characters of postback data.
    assert MAX_BUTTON_DATA_BYTES <= MAX_POSTBACK_DATA
    Button(label="A", data="d" * MAX_BUTTON_DATA_BYTES, role="choice")
    with pytest.raises(ValueError, match="button data"):
        Button(label="A", data="d" * (MAX_BUTTON_DATA_BYTES + 1), role="choice")
    with pytest.raises(ValueError, match="button data"):
        Button(label="A", data="あ" * 22, role="choice")  # 22 characters, 66 bytes


def test_loud_button_data_is_refused_clearly() -> None:
    # Only a button made around its check can get here; LINE still never sees it.
    loud = Button.model_construct(label="A", data="d" * 301, role="choice")
    reply = Reply.model_construct(text="x", buttons=((loud,),), keep_buttons=False)
    with pytest.raises(ButtonDataTooLong, match="301 characters"):
        render([reply])


def test_an_edit_is_sent_as_a_new_message() -> None:
    [message] = flat([Reply(text="更新", edit_message_id=12)])
    assert isinstance(message, TextMessage) and message.text == "更新"


@pytest.fixture
async def line() -> AsyncIterator[tuple[Any, AsyncMessagingApi]]:
    from tests.fake_line_api import FakeLineAPI

    async with FakeLineAPI() as api:
        configuration = Configuration(host=api.base_url, access_token=api.access_token)
        async with AsyncApiClient(configuration) as client:
            yield api, AsyncMessagingApi(client)


async def test_everything_rendered_is_accepted_by_line(line: tuple[Any, AsyncMessagingApi]) -> None:
    api, messaging = line
    long_labels = [f"{n}番目のとても長い選択肢の名前です、二十文字を超えます" for n in range(30)]
    replies = [
        Reply(text=markup("<b>長文</b>\n") + esc("あ" * 4000 + "\n" + "い" * 4000)),
        Reply(text="選択", buttons=buttons(*long_labels)),
        Reply(text="🍎" * 2600),
        Reply(text="最後", buttons=buttons(*long_labels[:13])),
    ]
    batches = render(replies)
    for batch in batches:
        await messaging.push_message(PushMessageRequest(to=USER, messages=batch))
    assert api.refusals == []
    assert sum(len(b) for b in batches) == len(api.messages(USER))
    assert (
        api.messages(USER)[-1]["quickReply"]["items"][0]["action"]["displayText"] == long_labels[0]
    )
