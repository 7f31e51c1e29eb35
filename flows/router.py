"""Where each command, button and conversation state is handled.

Feature modules register themselves here, so adding a capability means adding
a module and one ``register`` call, not editing a central switch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flows.turn import Handler, MenuEntry, Reprompt, TextHandler


@dataclass
class Router:
    # /command → handler(turn, (args,))
    commands: dict[str, Handler] = field(default_factory=dict)
    # first part of the callback data after "v1" → handler(turn, remaining parts)
    buttons: dict[str, Handler] = field(default_factory=dict)
    # first part of session.state before ":" → handler for free text in that state
    states: dict[str, TextHandler] = field(default_factory=dict)
    # first part of session.state → asks that state's question again (after a sticker, say)
    reprompts: dict[str, Reprompt] = field(default_factory=dict)
    # rows added to the main menu, in registration order
    menu: list[MenuEntry] = field(default_factory=list)
    # commands shown in Telegram's command list, with their description msgid
    public_commands: list[tuple[str, str]] = field(default_factory=list)
    # states whose free text is content staff are writing, not a parent's message:
    # it skips the emergency check
    authored_states: set[str] = field(default_factory=set)
    # first part of session.state → whether the step waiting under the rest of the state
    # wants a typed answer (an age, a phone number), so that a driver which shows buttons as
    # numbers (the console) does not take "2" or "09012345678" for a button
    typed_answers: dict[str, Callable[[str], bool]] = field(default_factory=dict)

    def command(self, name: str, handler: Handler, description: str | None = None) -> None:
        if name in self.commands:
            raise ValueError(f"command /{name} registered twice")
        self.commands[name] = handler
        if description:
            self.public_commands.append((name, description))

    def button(self, prefix: str, handler: Handler) -> None:
        if prefix in self.buttons:
            raise ValueError(f"button prefix {prefix!r} registered twice")
        self.buttons[prefix] = handler

    def state(
        self,
        prefix: str,
        handler: TextHandler,
        reprompt: Reprompt | None = None,
        *,
        authored: bool = False,
        typed: Callable[[str], bool] | None = None,
    ) -> None:
        if prefix in self.states:
            raise ValueError(f"state {prefix!r} registered twice")
        self.states[prefix] = handler
        if authored:
            self.authored_states.add(prefix)
        if reprompt is not None:
            self.reprompts[prefix] = reprompt
        if typed is not None:
            self.typed_answers[prefix] = typed

    def expects_typed_answer(self, state: str) -> bool:
        """Whether the step waiting in ``state`` is answered in words rather than buttons."""
        prefix, _, rest = state.partition(":")
        typed = self.typed_answers.get(prefix)
        return typed is not None and typed(rest)

    def menu_entry(self, entry: MenuEntry) -> None:
        self.menu.append(entry)
