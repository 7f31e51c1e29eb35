"""Short, versioned button data such as ``v1:faq:q:coord_what``.

Buttons outlive restarts and deployments, and anyone can forge callback data,
so every press is parsed strictly here before any flow looks at it.
"""

from __future__ import annotations

import re

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for callback_data
_PART = re.compile(r"^[a-z0-9_\-]{1,40}$")


def encode(*parts: str) -> str:
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"callback part {part!r} is not allowed")
    data = ":".join((VERSION, *parts))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} is longer than {MAX_BYTES} bytes")
    return data


def parse(data: str | None) -> tuple[str, ...] | None:
    """The parts after the version, or None for anything malformed or from another version."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    version, _, rest = data.partition(":")
    if version != VERSION or not rest:
        return None
    parts = tuple(rest.split(":"))
    if len(parts) > 5 or not all(_PART.match(p) for p in parts):
        return None
    return parts
