"""The content in force while the bot runs, with the matcher built from it.

Staff edits are picked up by :meth:`ContentStore.reload`; an invalid change is
refused with its problems and the last good content keeps serving.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from content.loader import Content, LoadResult, Problem, load_content
from content.matching import build_emergency_detector, build_matcher
from flows.ports import EmergencyAssessment, EmergencyDetector, FaqMatcher

log = logging.getLogger(__name__)


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class _Loaded:
    content: Content
    matcher: FaqMatcher
    emergency: EmergencyDetector


class ContentStore:
    def __init__(self, root: Path, loaded: _Loaded) -> None:
        self.root = root
        self._loaded = loaded

    @classmethod
    def load(cls, root: Path) -> ContentStore:
        result = load_content(root)
        if result.content is None:
            raise ContentError(result.errors)
        return cls(root, _build(result.content))

    def current(self) -> Content:
        return self._loaded.content

    def matcher(self) -> FaqMatcher:
        return self._loaded.matcher

    def emergency(self) -> EmergencyDetector:
        return _CurrentEmergency(self)

    def reload(self) -> LoadResult:
        """Load the files again; switch over only if they are valid."""
        result = load_content(self.root)
        if result.content is None:
            log.warning("content change refused: %d error(s)", len(result.errors))
            return result
        if result.content.fingerprint != self._loaded.content.fingerprint:
            self._loaded = _build(result.content)
            log.info("content reloaded (%s)", result.content.fingerprint)
        return result


class _CurrentEmergency:
    """Always asks the detector of the content in force, across reloads."""

    def __init__(self, store: ContentStore) -> None:
        self._store = store

    def assess(self, text: str) -> EmergencyAssessment:
        return self._store._loaded.emergency.assess(text)


def _build(content: Content) -> _Loaded:
    return _Loaded(
        content=content,
        matcher=build_matcher(content),
        emergency=build_emergency_detector(content),
    )
