"""The neutral markup of replies and buttons by meaning, as each driver renders them.

One reply is written once (flows/text.py) and shown by Telegram as HTML, by LINE and the
console as plain text; what a person typed stays text in all three, and markup outside the
small documented set is refused when the reply is made, not by a channel later.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from linebot.v3.messaging import FlexMessage, Message, TextMessage
from pydantic import ValidationError

from bot.console import ConsoleDriver
from bot.line.render import MAX_LABEL, MAX_POSTBACK_DATA, MAX_QUICK_REPLIES, render
from bot.services import Services
from bot.telegram.render import MAX_MESSAGE_CHARS, split_html, telegram_length, to_telegram_html
from content.base import LOCALES
from flows import model
from flows.model import Button, Inbound, Outcome, Reply
from flows.text import BULLET, Html, MarkupError, check_markup, esc, join_lines, markup, to_plain
from tests.desk_world import A, World, announced, send_request
from tests.fake_bot_api import check_text
from tests.fake_line_api import postback_actions

URL = "https://www.city.chiyoda.lg.jp/koho/kenko/?a=1&b=2"


def every_mark(name: str) -> Html:
    """A reply with each piece of the markup, and someone's name put into it."""
    return join_lines([
        markup("<b>受付しました</b> <i>#7119</i> <code>K-0001</code>"),
        BULLET.format(markup("担当: {}").format(name)),
        markup('<a href="{}">区のページ</a>').format(URL),
        markup('<a href="{url}">{url}</a>').format(url=URL),
    ])


PLAIN = (
    "受付しました #7119 K-0001\n"
    "• 担当: A<B & C\n"
    f"区のページ ({URL})\n"
    f"{URL}"
)


def line_texts(replies: list[Reply]) -> list[str]:
    return [m.text for batch in render(replies) for m in batch if isinstance(m, TextMessage)]


def line_messages(replies: list[Reply]) -> list[Message]:
    return [m for batch in render(replies) for m in batch]


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[ConsoleDriver, io.StringIO]]:
    from content.loader import DEFAULT_CONTENT_DIR

    services = await Services.start(tmp_path / "c.db", DEFAULT_CONTENT_DIR)
    out = io.StringIO()
    yield ConsoleDriver(services, out, "ja"), out
    await services.close()


# -- the markup itself -----------------------------------------------------------------------


def test_the_documented_pieces_are_the_markup() -> None:
    text = every_mark("A<B & C")
    assert check_markup(text) == text
    assert check_markup("1 > 0 &amp; &#39;x&#39; &quot;y&quot; &#x1F600;") is not None


@pytest.mark.parametrize("bad", [
    "<u>underline</u>",  # a tag Telegram reads, but not part of the markup
    "line<br>break",
    "<b>never closed",
    "closed </b> without opening",
    "<i><b>crossed</i></b>",
    "<a>no address</a>",
    '<a href="https://x.jp/" onclick="y">extra attribute</a>',
    '<b class="x">attribute</b>',
    '<a href="https://a.jp/"><a href="https://b.jp/">link in a link</a></a>',
    '<a href="https://a.jp/"><b>marks in a link</b></a>',
    "a < b",
    "Q&A",
    "&nosuch;",
    "&hellip; a named entity Telegram does not read",
])
def test_anything_else_is_refused_when_the_reply_is_made(bad: str) -> None:
    with pytest.raises(MarkupError):
        check_markup(bad)
    with pytest.raises(ValidationError, match=r"markup|escape|link|closes|left open|entity"):
        Reply(text=Html(bad))
    # The same characters typed by a person are text, whatever they look like.
    assert to_plain(Reply(text=bad).text) == bad


def test_the_catalogs_are_the_markup() -> None:
    from content.i18n import CatalogTranslations

    checked = 0
    translations = CatalogTranslations()
    for locale in LOCALES:
        catalog = translations.for_locale(locale)
        for message in _catalog_ids():
            check_markup(catalog.gettext(message))
            checked += 1
    assert checked > 500


def _catalog_ids() -> list[str]:
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    with (root / "locales" / "tsunagu.pot").open("rb") as pot:
        catalog = read_po(pot)
    # Lines of the CLI's report and content checks are printed, never sent as a reply.
    printed = ("Counts of 1 or 2", "a line break between Japanese")
    return [m.id for m in catalog if isinstance(m.id, str) and m.id
            and not m.id.startswith(printed)]


# -- each driver renders it ------------------------------------------------------------------


def test_telegram_gets_the_html_it_got_before() -> None:
    reply = Reply(text=every_mark("A<B & C"))
    html = to_telegram_html(reply.text)
    assert html == reply.text  # byte for byte what the Telegram tests have always seen
    check_text(html, "HTML")  # as strict as Telegram's parser
    assert "担当: A&lt;B &amp; C" in html


def test_line_and_the_console_show_the_same_plain_text(
    console: tuple[ConsoleDriver, io.StringIO],
) -> None:
    reply = Reply(text=every_mark("A<B & C"))
    assert to_plain(reply.text) == PLAIN
    assert line_texts([reply]) == [PLAIN]
    driver, out = console
    driver.show([reply])
    assert out.getvalue() == PLAIN + "\n\n"


async def test_a_parents_and_a_coordinators_markup_characters_stay_text_everywhere(
    console: tuple[ConsoleDriver, io.StringIO],
) -> None:
    typed = "<3 ありがとう <b>とても</b> & 「A<B」"
    reply = Reply(text=markup("<i>{}</i> さんより: {}").format("A<B", typed))
    html = to_telegram_html(reply.text)
    check_text(html, "HTML")
    assert "&lt;3" in html and "&lt;b&gt;" in html and esc("<3") in html
    shown = f"A<B さんより: {typed}"
    assert line_texts([reply]) == [shown]
    driver, out = console
    driver.show([reply])
    assert out.getvalue().splitlines()[0] == shown


def test_the_message_limit_is_the_drivers() -> None:
    assert not hasattr(model, "MAX_MESSAGE_CHARS")  # the engine knows no channel's limit
    # Over Telegram's 4096 as HTML, under LINE's 5000 as plain text.
    long = Reply(text=join_lines([markup("<b>{}</b>").format("あ" * 100)] * 45))
    parts = split_html(to_telegram_html(long.text))
    assert len(parts) == 2 and all(telegram_length(p) <= MAX_MESSAGE_CHARS for p in parts)
    for part in parts:
        check_text(part, "HTML")
    assert line_texts([long]) == [to_plain(long.text)]


# -- buttons by meaning ----------------------------------------------------------------------


def choices(*labels: str, role: model.ButtonRole = "choice") -> model.Keyboard:
    return tuple((Button(label=label, data=f"v1:x:{n}", role=role),) for n, label in
                 enumerate(labels))


def test_a_one_time_choice_is_quick_replies_on_line_within_its_limits() -> None:
    labels = [f"選択肢その{n}はとても長い名前を持っています" for n in range(MAX_QUICK_REPLIES)]
    [message] = line_messages([Reply(text="どれですか", buttons=choices(*labels))])
    assert isinstance(message, TextMessage) and message.quick_reply is not None
    items = message.quick_reply.items
    assert len(items) == MAX_QUICK_REPLIES
    assert all(len(i.action.label) <= MAX_LABEL for i in items)
    assert [i.action.display_text for i in items] == labels


def test_buttons_that_must_stay_are_a_flex_message_coloured_by_role() -> None:
    keyboard = ((Button(label="送る", data="v1:x:ok", role="confirm"),
                 Button(label="やめる", data="v1:x:no", role="cancel")),)
    text, flex = line_messages([Reply(text="送りますか", buttons=keyboard, keep_buttons=True)])
    assert isinstance(text, TextMessage) and text.quick_reply is None
    assert isinstance(flex, FlexMessage)
    [row] = flex.to_dict()["contents"]["body"]["contents"]
    confirm, cancel = row["contents"]
    assert confirm["action"]["data"] == "v1:x:ok" and cancel["action"]["data"] == "v1:x:no"
    assert confirm["borderColor"] != cancel["borderColor"]
    # The same buttons as a one-time choice are chips.
    [chips] = line_messages([Reply(text="送りますか", buttons=keyboard)])
    assert isinstance(chips, TextMessage) and chips.quick_reply is not None


def test_telegram_keeps_the_rows_and_the_console_numbers_every_button(
    console: tuple[ConsoleDriver, io.StringIO],
) -> None:
    from bot.telegram.render import keyboard_markup

    keyboard = ((Button(label="A", data="v1:x:a", role="choice"),
                 Button(label="B", data="v1:x:b", role="choice")),
                (Button(label="メニュー", data="v1:menu", role="navigate"),))
    markup_ = keyboard_markup(keyboard)
    assert markup_ is not None
    assert [[b.text for b in row] for row in markup_.inline_keyboard] == [["A", "B"], ["メニュー"]]
    driver, out = console
    driver.show([Reply(text="一つめ", buttons=keyboard[:1]),
                 Reply(text="二つめ", buttons=keyboard[1:], keep_buttons=True)])
    assert out.getvalue() == "一つめ\n  [1] A\n  [2] B\n\n二つめ\n  [3] メニュー\n\n"
    assert [b.data for b in driver.choices] == ["v1:x:a", "v1:x:b", "v1:menu"]


def test_a_button_must_say_what_it_is_for() -> None:
    with pytest.raises(ValidationError):
        Button.model_validate({"label": "A", "data": "v1:x", "role": "whatever"})
    # An answer saved for a redelivered update before buttons had roles still loads.
    saved = Reply.model_validate({"text": Html("x"), "buttons": [[{"label": "A", "data": "v1:x"}]]})
    assert saved.buttons[0][0].role == "choice"


# -- every button and reply the flows make, on LINE ------------------------------------------


def _record(world: World) -> list[Reply]:
    made: list[Reply] = []
    process: Callable[..., Awaitable[Outcome | None]] = world.services.process

    async def recording(inbound: Inbound, *args: Any, **kwargs: Any) -> Outcome | None:
        outcome = await process(inbound, *args, **kwargs)
        if outcome is not None:
            made.extend(outcome.replies)
        return outcome

    world.services.process = recording  # type: ignore[method-assign]
    return made


async def test_every_reply_of_a_request_and_its_desk_fits_line(world: World) -> None:
    made = _record(world)
    parent = world.parent
    for command in ("start", "help", "offices", "faq", "mydata", "language"):
        await parent.command(command)
    await parent.text("訪問看護について知りたい")
    notice = await announced(world)
    desk = world.private(A)
    await desk.command("start")
    await world.group(A).press(notice.button("v1:dk:c"), notice)
    await desk.command("queue")
    await desk.command("mine")
    await desk.command("need", "K-0001")
    await desk.command("close", "K-0001")
    await parent.command("withdraw")
    await send_request(world.private(700_202))

    assert len(made) > 40
    buttons = [b for r in made for row in r.buttons for b in row]
    assert {b.role for b in buttons} >= {"choice", "confirm", "cancel", "navigate", "action"}
    for reply in made:
        messages = line_messages([reply])
        for message in messages:
            actions = postback_actions(message.to_dict())
            assert len(actions) <= (MAX_QUICK_REPLIES if isinstance(message, TextMessage)
                                    else len(actions))
            for action in actions:
                assert len(action["data"]) <= MAX_POSTBACK_DATA
                assert len(action["label"]) <= MAX_LABEL
        kinds = {type(m) for m in messages}
        if reply.buttons and reply.keep_buttons:
            assert FlexMessage in kinds, to_plain(reply.text)[:60]
    assert any(r.keep_buttons for r in made)  # the desk's ticket actions


# -- edits and toasts where a channel has neither ---------------------------------------------


def test_a_reply_that_edits_is_a_new_message_on_line_and_the_console(
    console: tuple[ConsoleDriver, io.StringIO],
) -> None:
    edit = Reply(text=markup("<b>K-0001</b> 担当: 青木"), edit_message_id=41,
                 buttons=choices("詳細", role="action"), keep_buttons=True)
    text, flex = line_messages([edit])
    assert isinstance(text, TextMessage) and text.text == "K-0001 担当: 青木"
    assert isinstance(flex, FlexMessage)
    driver, out = console
    driver.show([edit])
    assert out.getvalue() == "K-0001 担当: 青木\n  [1] 詳細\n\n"


async def test_a_stale_button_of_a_family_is_answered_with_a_message_not_only_a_toast(
    world: World,
) -> None:
    await send_request(world.parent)
    await world.deliver()
    pressed = await world.parent.press("v1:tk:ro:999")  # reopen a request that is not theirs
    assert pressed.toast == "This button no longer works."
    assert "That button no longer works." in world.parent.said

