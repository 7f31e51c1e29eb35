"""Composing reply text so that what a person typed can never become markup.

Replies are a small subset of HTML (``<b>``, ``<i>``, ``<a href>``, ``<code>``) held as
:class:`Html` (markupsafe's ``Markup``): text the code itself wrote, and interface strings from
the catalogs, are trusted; everything else is escaped on the way in. ``Html.format`` and
:func:`lines` escape any argument that is not ``Html`` already, so a coordinator named
「A<B」 or a parent who writes ``<3`` stays text whatever feature puts it into a reply, and a
plain ``str`` given to a :class:`~flows.model.Reply` is escaped whole (flows/model.py). The
type checker keeps ``Turn.say`` to ``Html``, so an f-string that mixes tags with someone's
words does not get through either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

Html = Markup

_TAG = re.compile(r"<[^>]+>")


def esc(text: object) -> Html:
    """What a person typed (or staff wrote), as text inside a reply."""
    return escape(text)


def markup(template: str) -> Html:
    """A fragment the code writes itself (tags allowed); fill it with ``.format``."""
    return Markup(template)


# An empty line between parts of a reply, and an item of a list.
BLANK = Markup("")
BULLET = Markup("• {}")


def join_lines(parts: Iterable[Html]) -> Html:
    """Parts joined by line breaks (typed ``Html`` so that a str slipping in shows up)."""
    return Markup("\n").join(parts)


def to_plain(html_text: str) -> str:
    """Reply HTML to plain text, for the console and for tests."""
    return html.unescape(_TAG.sub("", html_text))


def plain(text: str) -> str:
    """A label or notice that is plain text: ``Html`` is rendered, anything else kept."""
    return text.unescape() if isinstance(text, Markup) else text


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, for button labels and previews."""
    text = " ".join(plain(text).split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def catalog(gettext: Callable[[str], str]) -> Callable[[str], Html]:
    """A translator's ``gettext`` whose strings are taken as markup, like ``Turn._``."""
    return lambda message: Markup(gettext(message))
