"""Welcome, main menu, help, language and cancel: the commands that work everywhere."""

from __future__ import annotations

from content.base import N_, Locale
from flows import callbacks
from flows.model import Button, Keyboard
from flows.ports import Store
from flows.router import Router
from flows.text import BLANK, Html, join_lines, markup
from flows.turn import Turn

# Button data (v1:lang:en): the saved buttons in people's chats carry these, so they stay.
LANGUAGE_BUTTON = "lang"
MENU_BUTTON = "menu"


def menu_keyboard(turn: Turn, router: Router) -> Keyboard:
    rows = [row for entry in router.menu if (row := entry(turn))]
    language = Button(label=turn._("🌐 Language / 言語"), data=callbacks.encode(LANGUAGE_BUTTON),
                      role="navigate")
    rows.append((language,))
    return tuple(rows)


def welcome_text(turn: Turn) -> Html:
    _ = turn._
    return join_lines(
        [
            _("<b>Welcome to tsunagu.</b>"),
            _(
                "This is a chat desk of Chiyoda City for families of children who need medical"
                " care at home (ventilator, tracheostomy, tube feeding, suction, oxygen and more)."
            ),
            BLANK,
            _("Here you can:"),
            _("• find answers about services and support in Chiyoda City"),
            _("• learn which office does what, and how to reach a coordinator"),
            _("• ask a coordinator for help: with your consent, your request goes to them"),
            BLANK,
            _("I am an automatic guide: I cannot give medical advice or make decisions about"
              " services."),
            _("<b>In an emergency call 119.</b> Not sure? #7119 (24 hours). Advice about a sick"
              " child: #8000."),
            BLANK,
            _("Type your question in your own words, or choose below."),
        ]
    )


class MenuFlow:
    def __init__(self, router: Router) -> None:
        self.router = router

    def show_menu(self, turn: Turn, intro: Html | None = None) -> None:
        turn.say(intro or turn._("What would you like to do?"), menu_keyboard(turn, self.router))

    def unknown_command(self, turn: Turn) -> None:
        """The reply to a command nobody registered (and to one this person may not use)."""
        name = turn.inbound.command or ""
        self.show_menu(
            turn,
            turn._("I don't know the command /{name}. Type /help to see what I can do.").format(
                name=name
            ),
        )

    def stale_button(self, turn: Turn) -> None:
        """The reply to a button no flow knows (and to one this person may not press)."""
        turn.toast = turn._("This button no longer works.")
        self.show_menu(turn, turn._("That button is out of date. Here is the menu again."))

    async def start(self, turn: Turn, args: tuple[str, ...]) -> None:
        turn.reset()
        turn.say(welcome_text(turn), menu_keyboard(turn, self.router))

    async def menu(self, turn: Turn, args: tuple[str, ...]) -> None:
        self.show_menu(turn)

    async def help(self, turn: Turn, args: tuple[str, ...]) -> None:
        _ = turn._
        lines = [_("<b>How to use tsunagu</b>"), _("Type a question in your own words, or use:")]
        for name, description in self.router.public_commands:
            lines.append(markup("/{name} — {description}").format(name=name,
                                                                   description=_(description)))
        lines += [BLANK, _("In an emergency call 119. Not sure? #7119. Sick child: #8000.")]
        turn.say(join_lines(lines), menu_keyboard(turn, self.router))

    async def resume(self, turn: Turn[Store], args: tuple[str, ...]) -> None:
        """Pick up where the person left off: ask the pending question again, or show the menu."""
        reprompt = self.router.reprompts.get(turn.session.state.partition(":")[0])
        if reprompt is not None:
            turn.say(turn._("Welcome back. Let's continue where you left off."))
            await reprompt(turn)
        else:
            self.show_menu(turn, turn._("Welcome back. What would you like to do?"))

    async def cancel(self, turn: Turn, args: tuple[str, ...]) -> None:
        if turn.session.state == "idle":
            self.show_menu(turn, turn._("There is nothing to cancel."))
            return
        turn.reset()
        self.show_menu(turn, turn._("Cancelled. Nothing from that step was sent."))

    async def language(self, turn: Turn, args: tuple[str, ...]) -> None:
        choice = args[0].strip().lower() if args and args[0].strip() else ""
        if choice in ("ja", "en"):
            await self.set_language(turn, (choice,))
            return
        turn.say(
            turn._("Choose a language. / 言語を選んでください。"),
            (
                (
                    Button(label="日本語", data=callbacks.encode(LANGUAGE_BUTTON, "ja"),
                           role="choice"),
                    Button(label="English", data=callbacks.encode(LANGUAGE_BUTTON, "en"),
                           role="choice"),
                ),
            ),
        )

    async def set_language(self, turn: Turn, parts: tuple[str, ...]) -> None:
        if not parts:
            await self.language(turn, ())
            return
        locale: Locale = "en" if parts[0] == "en" else "ja"
        turn.session.locale = locale
        turn.toast = turn._("Language: English")
        self.show_menu(turn, turn._("I will answer in English from now on."))


def register(router: Router) -> MenuFlow:
    flow = MenuFlow(router)
    router.command("start", flow.start, N_("Start over and see the menu"))
    router.command("menu", flow.menu, N_("Show the menu"))
    router.command("help", flow.help, N_("What this bot can do"))
    router.command("language", flow.language, N_("Change the language (日本語 / English)"))
    router.command("cancel", flow.cancel, N_("Stop what you are doing"))
    router.command("resume", flow.resume)  # not listed: drivers send it after a restart
    router.button(LANGUAGE_BUTTON, flow.set_language)
    router.button(MENU_BUTTON, flow.menu)
    return flow
