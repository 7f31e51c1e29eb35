"""``tsunagu ask`` reports the engine's own emergency judgement, made once per message."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.ask import Asker
from bot.services import Services
from content.i18n import CatalogTranslations
from content.records import EmergencyAssessment
from flows.turn import Deps
from storage.database import Database
from tests.fakes import FakeContentSource, FakeEmergency, FixedClock
from tests.intake_fakes import services_on


class CountingEmergency(FakeEmergency):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def assess(self, text: str) -> EmergencyAssessment:
        self.asked.append(text)
        return super().assess(text)


@pytest.fixture
async def asked() -> AsyncIterator[tuple[Asker, CountingEmergency]]:
    detector = CountingEmergency()
    deps = Deps(
        content=FakeContentSource(), emergency=detector, translations=CatalogTranslations(),
        clock=FixedClock(),
    )
    db = await Database.open(":memory:")
    services: Services = services_on(db, deps)
    try:
        yield Asker(services), detector
    finally:
        await services.close()


async def test_an_emergency_is_assessed_once_and_reported(
    asked: tuple[Asker, CountingEmergency],
) -> None:
    asker, detector = asked
    result = await asker.ask("息をしていない", "ja")
    assert result.emergency and result.mode == "emergency"
    assert "119" in result.answer
    assert detector.asked == ["息をしていない"]


async def test_each_message_is_assessed_once(asked: tuple[Asker, CountingEmergency]) -> None:
    asker, detector = asked
    calm = await asker.ask("訪問看護を使いたい", "ja")
    danger = await asker.ask("not breathing", "en")
    again = await asker.ask("訪問看護を使いたい", "ja")
    assert (calm.emergency, danger.emergency, again.emergency) == (False, True, False)
    assert detector.asked == ["訪問看護を使いたい", "not breathing", "訪問看護を使いたい"]
