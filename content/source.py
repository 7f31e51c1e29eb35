"""The content in force while the bot runs, with the matcher built from it.

Staff edits are picked up by :meth:`ContentStore.reload` (or
:meth:`ContentStore.reload_if_changed`, which :func:`content.watch.watch_content`
calls in the background); an invalid change is refused with its problems and the
last good content keeps serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from content.faq_files import replace_files as write_files
from content.faq_files import restore
from content.loader import Content, LoadResult, Problem, load_content
from content.matching import build_emergency_detector, build_matcher
from content.records import EmergencyAssessment, EmergencyDetector, FaqMatcher, Settling
from content.watch import Snapshot, describe_refusal, snapshot

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
    def __init__(
        self, root: Path, loaded: _Loaded, seen: Snapshot | None = None, semantic: bool = False
    ) -> None:
        self.root = root
        self._semantic = semantic
        self._loaded = loaded
        # The files as they were when last read, so unchanged files are not read again.
        self._seen = snapshot(root) if seen is None else seen
        # One reload at a time (the watcher's thread and any explicit reload).
        self._lock = threading.Lock()

    @classmethod
    def load(cls, root: Path, semantic: bool = False) -> ContentStore:
        """``semantic``: add the sentence embeddings to the matcher when installed."""
        # Taken before reading, so an edit made during the read is noticed next time.
        seen = snapshot(root)
        result = load_content(root)
        if result.content is None:
            raise ContentError(result.errors)
        return cls(root, _build(result.content, semantic), seen, semantic)

    def current(self) -> Content:
        return self._loaded.content

    def matcher(self) -> FaqMatcher:
        return self._loaded.matcher

    def emergency(self) -> EmergencyDetector:
        return _CurrentEmergency(self)

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until the matcher in force has all its readers; False on timeout.

        The running bot never waits (until then its suggestions are lexical); a one-off
        check such as ``tsunagu ask`` does, so it answers as the settled bot would.
        """
        matcher = self._loaded.matcher
        return not isinstance(matcher, Settling) or matcher.settle(timeout)

    def reload(self) -> LoadResult:
        """Load the files again; switch over only if they are valid.

        Blocking (reads files, builds the matcher): from the event loop, call it
        through ``asyncio.to_thread``.
        """
        with self._lock:
            return self._reload(snapshot(self.root))

    def reload_if_changed(self) -> LoadResult | None:
        """Like :meth:`reload`, but only when a content file changed; else ``None``."""
        with self._lock:
            seen = snapshot(self.root)
            if seen == self._seen:
                return None
            return self._reload(seen)

    def replace_files(self, texts: Mapping[Path, str]) -> LoadResult:
        """Write content files and switch to them, or put the old files back.

        The files are replaced atomically and the whole content is checked before the
        bot switches over; on any error the previous files are restored and the last
        good content keeps serving. Holds the reload lock throughout, so the watcher
        never reads a change that is about to be rolled back. Blocking, like :meth:`reload`.
        """
        with self._lock:
            previous = write_files(texts)
            result = self._reload(snapshot(self.root))
            if result.content is None:
                restore(previous)
                self._seen = snapshot(self.root)
            return result

    def _reload(self, seen: Snapshot) -> LoadResult:
        # Remembered even when the change is refused: the same broken files are
        # reported once, not on every check, and the next edit is noticed.
        self._seen = seen
        result = load_content(self.root)
        if result.content is None:
            log.warning(
                "content change refused, still serving %s: %s",
                self._loaded.content.fingerprint,
                describe_refusal(result),
            )
            return result
        if result.content.fingerprint != self._loaded.content.fingerprint:
            # Built before the swap: parents are answered from the old content meanwhile.
            loaded = _build(result.content, self._semantic)
            self._loaded = loaded
            log.info(
                "content reloaded (%s), %d warning(s)",
                result.content.fingerprint,
                len(result.warnings),
            )
        return result


class _CurrentEmergency:
    """Always asks the detector of the content in force, across reloads."""

    def __init__(self, store: ContentStore) -> None:
        self._store = store

    def assess(self, text: str) -> EmergencyAssessment:
        return self._store._loaded.emergency.assess(text)


def _build(content: Content, semantic: bool) -> _Loaded:
    return _Loaded(
        content=content,
        matcher=build_matcher(content, semantic=semantic),
        emergency=build_emergency_detector(content),
    )
