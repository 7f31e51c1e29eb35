"""Free text passes one ordered list of steps that features register into, with the emergency
check between the steps that read words that are not a parent's and those that do."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from content.records import EmergencyAssessment
from flows.engine import Engine
from flows.router import Router
from flows.turn import Turn
from tests.fakes import Chat, make_deps


def name(step: object) -> str:
    # A partial (the FAQ's step) is named by the function it holds.
    return str(getattr(step, "__name__", "") or name(getattr(step, "func", None)))


def names(steps: Sequence[tuple[int, object]]) -> list[str]:
    return [name(step) for _, step in steps]


def test_the_order_of_the_steps_is_declared_not_incidental() -> None:
    engine = Engine(make_deps())
    assert names(engine.router.before_danger) == ["_authored", "coordinator_reply"]
    assert names(engine.router.after_danger) == ["_waiting_step", "family_text", "_from_faq"]


async def test_a_step_after_the_check_is_told_what_it_found() -> None:
    engine = Engine(make_deps())
    seen: list[EmergencyAssessment] = []

    async def spy(turn: Turn, text: str, danger: EmergencyAssessment) -> bool:
        seen.append(danger)
        return True

    engine.router.text_after_danger(0, spy)
    chat = Chat(engine)
    await chat.text("息をしていない")
    assert seen and seen[0].emergency
    assert "119" in chat.texts[0]  # the guidance came first, whatever the steps do


async def test_wrapping_a_command_keeps_the_original_behind_it() -> None:
    router = Router()
    calls: list[str] = []

    async def cancel(turn: Turn, args: tuple[str, ...]) -> None:
        calls.append("cancel")

    router.command("cancel", cancel)

    def logged(inner):  # type: ignore[no-untyped-def]
        async def wrapper(turn: Turn, args: tuple[str, ...]) -> None:
            calls.append("wrapper")
            await inner(turn, args)

        return wrapper

    router.wrap_command("cancel", logged)
    await router.commands["cancel"](None, ())  # type: ignore[arg-type]
    assert calls == ["wrapper", "cancel"]
    with pytest.raises(ValueError, match="not registered"):
        router.wrap_command("nothing", logged)
