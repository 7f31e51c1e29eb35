"""``tsunagu ask``: how the bot would answer one message, for staff checking content."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

from bot.services import Services
from content.base import Locale
from content.records import EmergencyAssessment, EmergencyDetector
from flows.address import address
from flows.faq import text_for_matching
from flows.model import Inbound
from flows.text import to_plain

_ASCII_LETTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def guess_locale(text: str) -> Locale:
    """English when the message is mostly Latin letters, otherwise Japanese."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "ja"
    latin = sum(1 for c in letters if c in _ASCII_LETTERS)
    return "en" if latin / len(letters) > 0.6 else "ja"


@dataclass
class AskResult:
    topic: str | None
    confidence: float
    mode: str
    answer: str
    suggestions: list[str]
    emergency: bool
    # Not clear enough for the emergency guidance; the answer starts with one calm line.
    possible: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "confidence": round(self.confidence, 3),
            "mode": self.mode,
            "answer": self.answer,
            "suggestions": self.suggestions,
            "emergency": self.emergency,
            "possible": self.possible,
        }

    def as_text(self) -> str:
        head = f"[{self.mode}] topic={self.topic or '-'} confidence={self.confidence:.2f}"
        if self.suggestions:
            head += " suggestions=" + ",".join(self.suggestions)
        return head + "\n" + self.answer


class _Remembering:
    """The engine's detector, keeping its answer for the message in hand: the result reports
    the engine's own judgement, and a message is assessed once however often it is asked."""

    def __init__(self, detector: EmergencyDetector) -> None:
        self._detector = detector
        self._last: tuple[str, EmergencyAssessment] | None = None

    def assess(self, text: str) -> EmergencyAssessment:
        if self._last is None or self._last[0] != text:
            self._last = (text, self._detector.assess(text))
        return self._last[1]


class Asker:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._emergency = _Remembering(services.engine.deps.emergency)
        # These services are this command's own (cli's _ask), so their engine may be given
        # the remembering detector.
        services.engine.deps = dataclasses.replace(
            services.engine.deps, emergency=self._emergency
        )
        # Each message gets a fresh conversation, so one answer never colours the next.
        self._ids = itertools.count(1)

    async def ask(self, text: str, lang: Locale | None) -> AskResult:
        locale = lang or guess_locale(text)
        content = self.services.content
        # As the engine asks it (the same text), so the matcher's memory of the last
        # message spares the second matching.
        match = content.matcher().match(text_for_matching(text), locale)
        user = address("console", next(self._ids))
        inbound = Inbound(
            channel="console", user_id=user, chat_id=user, kind="text", text=text,
            language_code=locale,
        )
        outcome = await self.services.process(inbound)
        # What the engine judged while answering (asked again only if it never looked).
        assessment = self._emergency.assess(text)
        emergency = assessment.emergency
        replies = outcome.replies if outcome else []
        answer = "\n\n".join(to_plain(r.text).strip() for r in replies)
        mode = "emergency" if emergency else match.mode
        return AskResult(
            topic=match.topic if match.mode == "answer" else None,
            confidence=match.confidence,
            mode=mode,
            answer=answer,
            suggestions=list(match.suggestions),
            emergency=emergency,
            possible=assessment.possible,
        )
