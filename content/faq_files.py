"""Write the FAQ files the way staff keep them, and replace them safely.

The layout matches the hand-written files: the file's opening comments kept,
entries indented under ``entries:`` with a blank line between them, multi-line
answers as ``|`` blocks, Japanese unescaped, ``see_also`` on one line. Fields
left at their default are omitted, except ``reviewed``, which staff always see.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from content.base import Locale
from content.models import FaqEntry, FaqFile


class FlowList(list[str]):
    """A list written on one line: ``see_also: [a, b]``."""


class _FaqDumper(yaml.SafeDumper):
    # Indent list items under their key ("entries:\n  - id: ..."), as the files do.
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow_list(dumper: yaml.SafeDumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_FaqDumper.add_representer(str, _represent_str)
_FaqDumper.add_representer(FlowList, _represent_flow_list)

_ENTRY_START = re.compile(r"^  - ", re.MULTILINE)


def entry_as_mapping(entry: FaqEntry) -> dict[str, Any]:
    """The entry's fields in model order, without the ones left at their default."""
    out: dict[str, Any] = {}
    for name, value in entry.model_dump().items():
        if name == "reviewed":
            out[name] = value
        elif value is None or value == []:
            continue
        elif name == "see_also":
            out[name] = FlowList(value)
        else:
            out[name] = value
    return out


def render_faq(locale: Locale, entries: Iterable[FaqEntry], header: str = "") -> str:
    document = {"locale": locale, "entries": [entry_as_mapping(e) for e in entries]}
    body = yaml.dump(
        document,
        Dumper=_FaqDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        # No folding: a long Japanese line stays one line, as staff wrote it.
        width=1_000_000,
    )
    # A blank line before every entry but the first; entries are the only lines that
    # start with "  - " (list items inside an entry are indented further).
    starts = [m.start() for m in _ENTRY_START.finditer(body)]
    for at in reversed(starts[1:]):
        body = body[:at] + "\n" + body[at:]
    return header + body


def leading_comments(path: Path) -> str:
    """The comment block at the top of a file, to keep it when the file is rewritten."""
    if not path.is_file():
        return ""
    kept: list[str] = []
    for line in path.read_text(encoding="utf-8-sig").splitlines(keepends=True):
        if line.startswith("#") or not line.strip():
            kept.append(line)
        else:
            break
    return "".join(kept)


def parses_back(text: str, expected: FaqFile) -> bool:
    """Whether ``text`` loads as exactly ``expected`` (a guard against any dump surprise)."""
    try:
        return FaqFile.model_validate(yaml.safe_load(text)) == expected
    except (yaml.YAMLError, ValueError):
        return False


def replace_files(texts: Mapping[Path, str]) -> dict[Path, bytes | None]:
    """Replace each file atomically; returns what was there before, for :func:`restore`.

    Each file is written to a temporary file in the same directory, flushed to disk
    and renamed over the old one, so a reader (the running bot) sees the old file or
    the new one, never half of one.
    """
    before: dict[Path, bytes | None] = {
        path: path.read_bytes() if path.is_file() else None for path in texts
    }
    for path, text in texts.items():
        _write_atomically(path, text.encode("utf-8"))
    return before


def restore(before: Mapping[Path, bytes | None]) -> None:
    for path, data in before.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            _write_atomically(path, data)


def _write_atomically(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file readable by its owner only; keep the old file's mode.
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on Windows, where it is skipped.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
