"""Ticket references as coordinators type them (K-0042, k42, 42) and as the bot writes them."""

from __future__ import annotations

import re
import unicodedata

from flows.tickets import REFERENCE_PREFIX, format_reference

_TYPED = re.compile(rf"^(?:{REFERENCE_PREFIX}\s*-?\s*)?(\d{{1,6}})$", re.IGNORECASE)
# In the bot's own messages a reference is always written by format_reference.
_FIRST_WORD = re.compile(r"^(\S+)\s*(.*)$", re.DOTALL)
_WRITTEN = re.compile(rf"\b{REFERENCE_PREFIX}-(\d{{4,6}})\b")


def parse_reference(word: str) -> str | None:
    """``K-0042``, ``k42``, ``Ｋ－００４２`` or ``42`` → ``K-0042``; None if it is not one."""
    text = unicodedata.normalize("NFKC", word).strip()
    match = _TYPED.match(text)
    if match is None or int(match.group(1)) == 0:
        return None
    return format_reference(int(match.group(1)))


def references_in(text: str) -> list[str]:
    """The references a message of the bot mentions, in order, each once."""
    found: list[str] = []
    for match in _WRITTEN.finditer(text):
        reference = format_reference(int(match.group(1)))
        if reference not in found:
            found.append(reference)
    return found


def split_reference(args: str) -> tuple[str | None, str]:
    """``"K-0042 some words"`` → (``"K-0042"``, ``"some words"``); (None, args) without one."""
    match = _FIRST_WORD.match(args.strip())
    reference = parse_reference(match.group(1)) if match else None
    if match is None or reference is None:
        return None, args.strip()
    return reference, match.group(2).strip()
