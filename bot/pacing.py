"""How fast the outbox worker may send into each chat of one channel.

Each channel's driver says its limits (bot/outbound.py ``Outbound.limits``); the defaults
here are Telegram's (unofficial, shared/content/facts.md): about one message a second into
one chat, 20 a minute into one group, about 30 a second overall. The worker keeps its own
count per chat, one pacer per channel, against a clock it is given (tests run a whole
minute in no time), and leaves a few of the group's 20 for the coordinators' own commands
and button answers, which PTB's rate limiter paces on the same bot.

When more new-ticket notices are due for the group than its budget allows, they are
combined into one digest message instead of being sent one by one.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flows.address import Address, is_group


@dataclass(frozen=True)
class Limits:
    # Seconds between two messages into the same chat.
    chat_interval: float = 1.0
    # Messages into one group within group_window seconds, of which group_reserve are left
    # for answers to the coordinators.
    group_messages: int = 20
    group_window: float = 60.0
    group_reserve: int = 3
    # Seconds between any two messages (30 a second).
    overall_interval: float = 1 / 30
    # More due notices than this for the group go out as one digest...
    digest_over: int = 3
    # ...of at most this many (it stays well under Telegram's 4096 characters).
    digest_max: int = 15

    @property
    def group_budget(self) -> int:
        return max(self.group_messages - self.group_reserve, 1)


class Pacer:
    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._last: dict[Address, float] = {}
        self._recent: dict[Address, deque[float]] = {}
        self._last_any = -math.inf
        self._paused_until = -math.inf

    def _window(self, chat: Address, now: float) -> deque[float]:
        recent = self._recent.setdefault(chat, deque())
        while recent and recent[0] <= now - self.limits.group_window:
            recent.popleft()
        return recent

    def wait(self, chat: Address) -> float:
        """Seconds until the next message may go into ``chat`` (0: now)."""
        now = self._clock()
        waits = [self._paused_until - now,
                 self._last.get(chat, -math.inf) + self.limits.chat_interval - now]
        if is_group(chat):
            recent = self._window(chat, now)
            budget = self.limits.group_budget
            if len(recent) >= budget:
                # The message that must leave the window before another may go in.
                waits.append(recent[len(recent) - budget] + self.limits.group_window - now)
        return max(0.0, *waits)

    def wait_overall(self) -> float:
        now = self._clock()
        return max(0.0, self._paused_until - now,
                   self._last_any + self.limits.overall_interval - now)

    def budget(self, chat: Address) -> int:
        """How many more messages the worker may send into the chat in the current window."""
        if not is_group(chat):
            return self.limits.group_budget  # private chats are paced by the interval alone
        return max(self.limits.group_budget - len(self._window(chat, self._clock())), 0)

    def record(self, chat: Address) -> None:
        now = self._clock()
        self._last[chat] = now
        self._last_any = now
        if is_group(chat):
            self._window(chat, now).append(now)

    def pause(self, seconds: float) -> None:
        """The channel said wait (Telegram's RetryAfter, LINE's 429): nothing at all goes out
        on it before then."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


def digest_size(due_notices: int, budget: int, limits: Limits) -> int:
    """How many due new-ticket notices go into the next group message.

    One at a time while the group's budget has room for each; in a burst (more due than
    ``digest_over``, or than the budget left) all of them, up to ``digest_max``, in one.
    """
    if due_notices <= 1:
        return due_notices
    if due_notices > limits.digest_over or due_notices > budget:
        return min(due_notices, limits.digest_max)
    return 1
