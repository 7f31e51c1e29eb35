"""The neutral markup replies are written in, and what keeps a person's words out of it.

Reply text is a small markup of its own, the same for every channel; each driver renders it
(Telegram as HTML, LINE and the console as plain text through :func:`to_plain`). It is
written in the shape of HTML so that catalogs and templates stay readable, but only these
pieces exist, and :func:`check_markup` refuses anything else when a
:class:`~flows.model.Reply` is made:

- ``<b>…</b>`` strong, ``<i>…</i>`` emphasis, ``<code>…</code>`` a code to copy (a reference,
  an id), ``<a href="…">…</a>`` a link (nothing else inside it, no attribute but ``href``);
- text, with the entities ``&amp;`` ``&lt;`` ``&gt;`` ``&quot;`` and numeric ones (``&#39;``)
  for ``&`` ``<`` and quotes, no other named ones; a bare ``>`` is text, as in HTML;
- ``\\n`` a line break (an empty line between parts, :data:`BLANK`), and a list item is a
  line that starts with :data:`BULLET`'s ``•``, which reads the same in every channel.

It is held as :class:`Html` (markupsafe's ``Markup``): text the code itself wrote, and
interface strings from the catalogs, are trusted; everything else is escaped on the way in.
``Html.format`` and :func:`join_lines` escape any argument that is not ``Html`` already, so a
coordinator named 「A<B」 or a parent who writes ``<3`` stays text whatever feature puts it
into a reply, and a plain ``str`` given to a :class:`~flows.model.Reply` is escaped whole
(flows/model.py). The type checker keeps ``Turn.say`` to ``Html``, so an f-string that mixes
tags with someone's words does not get through either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

Html = Markup

# What each tag of the markup means; drivers map the meaning to what their channel shows.
Mark = Literal["strong", "emphasis", "code", "link"]
TAGS: dict[str, Mark] = {"b": "strong", "i": "emphasis", "code": "code", "a": "link"}

_PIECE = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][\w-]*)(?P<attrs>[^<>]*)>"
    r"|&(?P<entity>#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|amp|lt|gt|quot);"
    r"|[<&]"
)
_HREF = re.compile(r'\s+href="(?P<url>[^"<>]*)"\s*')


class MarkupError(ValueError):
    """Reply text that is not the neutral markup (a mistake in the code or a catalog)."""


@dataclass(frozen=True)
class Text:
    """Text as written in the markup (``raw``, entities and all) and as shown (``text``)."""

    raw: str
    text: str


@dataclass(frozen=True)
class Open:
    mark: Mark
    raw: str
    href: str | None = None  # a link's address, unescaped


@dataclass(frozen=True)
class Close:
    mark: Mark
    raw: str


Piece = Text | Open | Close


def pieces(text: str) -> Iterator[Piece]:
    """The markup read into its pieces; :class:`MarkupError` for anything it does not allow."""
    stack: list[Mark] = []
    position = 0
    for match in _PIECE.finditer(text):
        if match.start() > position:
            plain_run = text[position : match.start()]
            yield Text(plain_run, plain_run)
        position = match.end()
        token = match.group(0)
        if match.group("entity") is not None:
            shown = html.unescape(token)
            if shown == token:
                raise MarkupError(f"unknown entity {token!r} in reply text")
            yield Text(token, shown)
            continue
        name = match.group("name")
        if name is None:
            raise MarkupError(f"a bare {token!r} in reply text (escape it)")
        mark = TAGS.get(name)
        if mark is None:
            raise MarkupError(f"<{name}> is not part of the reply markup")
        if match.group("close"):
            if match.group("attrs").strip() or not stack or stack[-1] != mark:
                raise MarkupError(f"{token!r} closes nothing open in reply text")
            stack.pop()
            yield Close(mark, token)
            continue
        attrs = match.group("attrs")
        href: str | None = None
        if "link" in stack:
            raise MarkupError(f"{token!r} inside a link: a link holds only text")
        if mark == "link":
            found = _HREF.fullmatch(attrs)
            if found is None:
                raise MarkupError(f"{token!r}: a link is <a href=\"…\"> and holds only text")
            href = html.unescape(found.group("url"))
        elif attrs.strip():
            raise MarkupError(f"{token!r}: only a link has an attribute")
        stack.append(mark)
        yield Open(mark, token, href)
    if position < len(text):
        yield Text(text[position:], text[position:])
    if stack:
        raise MarkupError(f"<{stack[-1]}> left open in reply text")


def check_markup(text: str) -> str:
    """``text`` if it is the neutral markup, else :class:`MarkupError`."""
    for _ in pieces(text):
        pass
    return text


def to_plain(text: str) -> str:
    """The markup as plain text, for LINE, the console and tests: marks dropped, a link as
    "text (url)" (the address alone when it is its own text), entities read."""
    out: list[str] = []
    link: list[str] | None = None
    href = ""
    for piece in pieces(text):
        if isinstance(piece, Text):
            (out if link is None else link).append(piece.text)
        elif isinstance(piece, Open) and piece.mark == "link":
            link, href = [], piece.href or ""
        elif isinstance(piece, Close) and piece.mark == "link" and link is not None:
            label = "".join(link).strip()
            out.append(href if not label or label == href else
                       f"{label} ({href})" if href else label)
            link = None
    return "".join(out)


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
