"""Describing a failure for the log without what it may quote.

Exception messages can carry what a parent wrote (a messenger's error may quote the refused
text back), so the log gets types and places only.
"""

from __future__ import annotations

import traceback
from pathlib import PurePath


class StartFailed(Exception):
    """A channel could not start; the message says what to check and holds no secret."""


def describe_error(error: BaseException | None) -> str:
    """``Type at file.py:12 in func via our/file.py:34 in step (caused by Other)``.

    Where it failed, and the last place in our own code it passed through, but never the
    exception's message: that may quote what a parent wrote.
    """
    if error is None:
        return "unknown error"
    text = type(error).__name__
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        text += f" at {_place(frames[-1])}"
        ours = [f for f in frames if _is_ours(f.filename)]
        if ours and ours[-1] is not frames[-1]:
            text += f" via {_place(ours[-1])}"
    cause = error.__cause__ or error.__context__
    if cause is not None and cause is not error:
        text += f" (caused by {type(cause).__name__})"
    return text


_PROJECT_ROOT = PurePath(__file__).parents[1]


def _is_ours(filename: str) -> bool:
    path = PurePath(filename)
    return path.is_relative_to(_PROJECT_ROOT) and "site-packages" not in path.parts


def _place(frame: traceback.FrameSummary) -> str:
    path = PurePath(frame.filename)
    return f"{path.parent.name}/{path.name}:{frame.lineno} in {frame.name}"
