"""What a person typed never becomes markup: the one path every reply takes (flows/text.py)."""

from __future__ import annotations

from flows.model import Button, Outcome, Reply, Session
from flows.text import Html, esc, join_lines, markup, to_plain
from tests.desk_world import STAFF, A, B, World, announced
from tests.fake_bot_api import check_text


def test_a_plain_str_is_escaped_whole_and_html_is_kept() -> None:
    assert Reply(text="A<B & <i>").text == "A&lt;B &amp; &lt;i&gt;"
    assert Reply(text=Html("<b>ok</b>")).text == "<b>ok</b>"


def test_markup_escapes_whatever_is_put_into_it() -> None:
    held = Html("Held by {name}").format(name="A<B")
    assert held == "Held by A&lt;B"
    assert markup("<b>{}</b>").format("x & y") == "<b>x &amp; y</b>"
    assert join_lines([esc("1 < 2"), Html("<i>ok</i>")]) == "1 &lt; 2\n<i>ok</i>"
    assert markup("{}").format(esc("<")) == "&lt;"  # escaped once, not twice


def test_labels_and_toasts_are_plain_text_even_when_given_html() -> None:
    label = Html("Sorry, held by {name}").format(name="A<B")
    assert Button(label=label, data="x", role="choice").label == "Sorry, held by A<B"
    outcome = Outcome(replies=[], session=Session(key="k"), toast=label)
    assert outcome.toast == "Sorry, held by A<B"


def test_saved_replies_are_not_escaped_twice() -> None:
    reply = Reply(text=Html("<b>{}</b>").format("A<B"))
    again = Reply.model_validate({**reply.model_dump(), "text": Html(reply.text)})
    assert again.text == reply.text == "<b>A&lt;B</b>"


async def test_a_coordinator_named_with_markup_characters_is_shown_as_text(world: World) -> None:
    name = "A<B & <i>Co"
    await world.private(STAFF).command("roster", f"name {A} {name}")
    notice = await announced(world)
    await world.private(A).command("start")
    taken = await world.group(A).press(notice.button("v1:dk:c"), notice)
    [card] = taken.replies  # the group's card, edited to name the holder
    check_text(card.text, "HTML")
    assert name in to_plain(card.text)
    # B tries by button (a toast) and by command (a message in the group, in HTML).
    pressed = await world.group(B).press(notice.button("v1:dk:c"), notice)
    assert pressed.toast is not None and name in pressed.toast
    asked = await world.group(B).command("claim", "K-0001")
    [answer] = asked.replies
    check_text(answer.text, "HTML")  # as strict as Telegram's parser
    assert name in to_plain(answer.text)
