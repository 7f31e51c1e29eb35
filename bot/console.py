"""The terminal driver: the same engine and database as Telegram, typed at a prompt.

Replies are shown as plain text by ``flows.text.to_plain``, the renderer LINE uses too; a
reply meant to edit an earlier message is printed as a new one, and toasts are dropped.
Buttons are shown as numbered choices; typing the number presses the button, except where
the question waiting wants a typed answer (an age of 「2」, a phone number), where digits are
the answer. Input ends cleanly at end of file or on /quit, with a goodbye.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TextIO

from bot.services import Services
from content.base import Locale, Translator
from flows.address import address
from flows.model import Button, Inbound, Reply, locale_from_language_code
from flows.text import to_plain


class ConsoleDriver:
    def __init__(self, services: Services, out: TextIO, lang: Locale | None) -> None:
        self.services = services
        self.out = out
        self.lang = lang
        self.user_id = address("console", os.getuid() if hasattr(os, "getuid") else 1)
        self.choices: list[Button] = []
        # The session's state and language after the last step: whether digits are an
        # answer or a button, and which language the driver's own few lines are in.
        self.state = "idle"
        self.locale: Locale = locale_from_language_code(lang)

    def inbound(self, **fields: object) -> Inbound:
        return Inbound(
            channel="console",
            user_id=self.user_id,
            chat_id=self.user_id,
            language_code=self.lang,
            **fields,
        )

    def parse(self, line: str) -> Inbound | None:
        line = line.rstrip("\r\n")
        stripped = line.strip()
        if stripped.isdigit() and self.choices and not self.expects_typed_answer():
            index = int(stripped) - 1
            if 0 <= index < len(self.choices):
                return self.inbound(kind="button", button=self.choices[index].data)
            self.explain_choices(stripped)
            return None
        if stripped.startswith("/") and len(stripped) > 1:
            word, _, args = stripped[1:].partition(" ")
            return self.inbound(kind="command", command=word.lower(), text=args.strip())
        return self.inbound(kind="text", text=line)

    @property
    def t(self) -> Translator:
        return self.services.engine.deps.translations.for_locale(self.locale)

    def expects_typed_answer(self) -> bool:
        return self.services.engine.router.expects_typed_answer(self.state)

    def explain_choices(self, number: str) -> None:
        """A number that is no button: say so, and which numbers there are."""
        _ = self.t.gettext
        self.out.write(
            _("There is no choice {number}. Type the number of one of these:").format(
                number=number) + "\n"
        )
        for index, button in enumerate(self.choices, start=1):
            self.out.write(f"  [{index}] {button.label}\n")
        self.out.write("\n")
        self.out.flush()

    def goodbye(self) -> None:
        _ = self.t.gettext  # the catalogs are extracted from calls to _()
        self.out.write(_("Goodbye. This conversation is saved: it continues where you left off"
                         " next time.") + "\n")
        self.out.flush()

    def show(self, replies: Iterable[Reply]) -> None:
        self.choices = []
        for reply in replies:
            self.out.write(to_plain(reply.text).rstrip() + "\n")
            for row in reply.buttons:
                for button in row:
                    self.choices.append(button)
                    self.out.write(f"  [{len(self.choices)}] {button.label}\n")
            self.out.write("\n")
        self.out.flush()

    async def step(self, inbound: Inbound) -> None:
        outcome = await self.services.process(inbound)
        if outcome is not None:
            self.state = outcome.session.state
            self.locale = outcome.session.locale or self.locale
            self.show(outcome.replies)

    async def begin(self) -> None:
        """Set the language the person asked for, then greet or pick up where they left off."""
        key = self.inbound(kind="text").session_key
        async with self.services.db.transaction() as tx:
            session = await tx.sessions.load(key)
            fresh = session.updated_at is None
            if self.lang is not None and session.locale != self.lang:
                session.locale = self.lang
                await tx.sessions.save(session, self.services.engine.deps.clock.now())
        await self.step(self.inbound(kind="command", command="start" if fresh else "resume"))

    async def run(self, stream: TextIO) -> int:
        await self.begin()
        interactive = stream.isatty()
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = stream.readline()
            if not line or line.strip().lower() in ("/quit", "/exit"):
                self.goodbye()
                break
            inbound = self.parse(line)
            if inbound is not None:
                await self.step(inbound)
        return 0
