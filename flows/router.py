"""Where each command, button and conversation state is handled.

Feature modules register themselves here, so adding a capability means adding
a module and one ``register`` call, not editing a central switch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from content.records import EmergencyAssessment
from flows.ports import Store
from flows.turn import Handler, MenuEntry, Reprompt, TextHandler, Turn

# A step free text passes through; True when it handled the text (the rest are skipped).
# Steps before the emergency check read words that are not a parent's (a coordinator
# answering a ticket); the check itself sits between the two lists, in the engine, so no
# feature can put itself ahead of it; steps after it are told what it found.
BeforeDanger = Callable[[Turn[Store], str], Awaitable[bool]]
AfterDanger = Callable[[Turn[Store], str, EmergencyAssessment], Awaitable[bool]]
# Run for every private inbound, before it is handled (a coordinator opening a chat).
PrivateHook = Callable[[Turn[Store]], Awaitable[None]]
# A group the bot answers in: whether the inbound is from it, and its handler.
GroupChat = tuple[Callable[[Turn[Store]], bool], Callable[[Turn[Store]], Awaitable[None]]]

# Where a step stands before the emergency check (lower first): staff writing content, then a
# coordinator answering a ticket's message; and after it: the step a conversation waits in,
# then a family's open request, then the FAQ, which answers everything left.
BEFORE_DANGER_AUTHORED = 10
BEFORE_DANGER_COORDINATOR = 20
AFTER_DANGER_STATE = 10
AFTER_DANGER_OPEN_REQUEST = 20
AFTER_DANGER_FAQ = 90


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
    # The free-text pipeline (see BeforeDanger / AfterDanger), in order.
    before_danger: list[tuple[int, BeforeDanger]] = field(default_factory=list)
    after_danger: list[tuple[int, AfterDanger]] = field(default_factory=list)
    private_hooks: list[PrivateHook] = field(default_factory=list)
    group_chats: list[GroupChat] = field(default_factory=list)

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

    def wrap_command(self, name: str, wrapper: Callable[[Handler], Handler]) -> None:
        """Put ``wrapper`` around a command another feature registered (/cancel inside a
        request must also delete the draft, then cancel as usual)."""
        if name not in self.commands:
            raise ValueError(f"command /{name} is not registered")
        self.commands[name] = wrapper(self.commands[name])

    def text_before_danger(self, order: int, step: BeforeDanger) -> None:
        self.before_danger.append((order, step))
        self.before_danger.sort(key=lambda pair: pair[0])

    def text_after_danger(self, order: int, step: AfterDanger) -> None:
        self.after_danger.append((order, step))
        self.after_danger.sort(key=lambda pair: pair[0])

    def on_private(self, hook: PrivateHook) -> None:
        self.private_hooks.append(hook)

    def group_chat(self, is_ours: Callable[[Turn[Store]], bool],
                   handler: Callable[[Turn[Store]], Awaitable[None]]) -> None:
        self.group_chats.append((is_ours, handler))

    def menu_entry(self, entry: MenuEntry) -> None:
        self.menu.append(entry)
