"""Small helpers for composing Telegram-HTML text safely."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    """Escape what a person typed (or staff wrote) before it goes into an HTML reply."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def to_plain(html_text: str) -> str:
    """Telegram HTML to plain text, for the console and for tests."""
    return html.unescape(_TAG.sub("", html_text))


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, for button labels and previews."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it yet (e.g. command descriptions)."""
    return message
