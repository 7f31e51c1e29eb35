"""Read YAML and remember on which line every value stands, so errors can say file:line.

YAML folds a line break inside a ``>`` block (or an unquoted or quoted value that runs over
several lines) into a space. Between two Japanese characters that space is a stray one
(「いまの暮らしの状況、 困っていること」): Japanese has no spaces between words. So those
values are folded again here, joining a line that ends and a line that starts with a wide
(Japanese) character without a space, and with a space as before everywhere else. A value
whose folding cannot be redone with certainty (escapes, more-indented lines) is left as YAML
read it, and its path reported, so that `tsunagu content check` can point at it.
"""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_with_lines(
    path: Path, unjoined: list[PathKey] | None = None
) -> tuple[Any, dict[PathKey, int]]:
    """Return the document and a map from each value's path to its 1-based line.

    ``unjoined`` collects the paths of values where a line break between two Japanese
    characters is still read as a space (see the module's docstring).
    """
    text = path.read_text(encoding="utf-8-sig")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, str(exc.problem or exc)) from exc
    lines: dict[PathKey, int] = {}
    if node is None:
        return None, lines
    return _Builder(text, lines, unjoined if unjoined is not None else []).build(node, ()), lines


class _Builder:
    def __init__(self, text: str, lines: dict[PathKey, int], unjoined: list[PathKey]) -> None:
        self.text = text
        self.lines = lines
        self.unjoined = unjoined

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = yaml.SafeLoader("").construct_object(key_node, deep=True)
                result[key] = self.build(value_node, (*path, str(key)))
                # A key's own line reads better in an error than where its value starts.
                self.lines[(*path, str(key))] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = yaml.SafeLoader("").construct_object(node, deep=True)
        if isinstance(node, yaml.ScalarNode) and isinstance(value, str):
            return self._refold(node, path, value)
        return value

    def _refold(self, node: yaml.ScalarNode, path: PathKey, value: str) -> str:
        if node.style == "|" or node.start_mark.line == node.end_mark.line:
            return value  # nothing was folded
        raw = self.text[node.start_mark.index:node.end_mark.index].split("\n")
        content = _content_lines(node.style, raw)
        if content is not None:
            spaced = _fold(content, japanese=False)
            rest = value[len(spaced):]
            if value.startswith(spaced) and rest == "\n" * len(rest):
                return _fold(content, japanese=True) + rest
        if any(_between_wide(a.rstrip(), b.lstrip()) for a, b in itertools.pairwise(raw)):
            self.unjoined.append(path)
        return value


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _between_wide(before: str, after: str) -> bool:
    return bool(before) and bool(after) and _wide(before[-1]) and _wide(after[0])


def _content_lines(style: str | None, raw: list[str]) -> list[str] | None:
    """The value's source lines without indentation, or None where that is not certain."""
    if style == ">":
        header, body = raw[0], raw[1:]
        if any(c.isdigit() for c in header.partition("#")[0]):
            return None  # an explicit indentation indicator
        filled = [line for line in body if line.strip()]
        indent = min((len(line) - len(line.lstrip(" ")) for line in filled), default=0)
        if any(len(line) - len(line.lstrip(" ")) > indent or line[indent:indent + 1] == "\t"
               for line in filled):
            return None  # more-indented lines keep their line breaks
        return [line[indent:] if line.strip() else "" for line in body]
    if style is None:
        return [line.strip() for line in raw]
    # Quoted: without the quotes. Escapes make the comparison with YAML's value fail, which
    # leaves such a value as YAML read it.
    inner = "\n".join(raw)[1:-1]
    return [line.strip() for line in inner.split("\n")]


def _fold(lines: list[str], *, japanese: bool) -> str:
    """Fold as YAML does: lines joined with a space, each empty line a line break; with
    ``japanese``, no space between two wide characters."""
    pieces: list[str] = []
    previous: str | None = None
    breaks = 0
    for line in lines:
        if not line.strip():
            breaks += 1
            continue
        if previous is None or breaks:
            pieces.append("\n" * breaks + line)
        else:
            pieces.append(("" if japanese and _between_wide(previous, line) else " ") + line)
        previous, breaks = line, 0
    return "".join(pieces)


def line_for(lines: dict[PathKey, int], loc: PathKey) -> int:
    """The line of the deepest known part of ``loc`` (pydantic error locations)."""
    probe = tuple(loc)
    while probe:
        if probe in lines:
            return lines[probe]
        probe = probe[:-1]
    return lines.get((), 1)
