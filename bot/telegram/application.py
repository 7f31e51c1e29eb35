"""The python-telegram-bot ``Application`` that carries updates to the engine and back.

Every update goes to one function: turn it into an ``Inbound``, run one step through
the services (which save it in a transaction), then send the replies. Conversation
state lives in our own tables, so no PTB handler state or persistence is used.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ContextTypes,
    Defaults,
    ExtBot,
    TypeHandler,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.errors import describe_error
from bot.services import event_key
from bot.telegram.render import answer_button, retry_after_seconds, send_replies
from bot.telegram.updates import to_inbound
from content.base import Locale
from content.i18n import CatalogTranslations
from flows.address import Address, telegram_id
from flows.model import Inbound, Outcome

log = logging.getLogger(__name__)

# Sent when a step fails. Fixed and bilingual on purpose: it must work even when the
# failure is in loading catalogs or the person's session (their language is unknown).
APOLOGY = (
    "申し訳ありません。うまく処理できませんでした。もう一度お試しください。\n"
    "Sorry, something went wrong. Please try again."
)
# A reply refused with 429 is tried again after Telegram's retry_after this many times
# before the step counts as failed.
RATE_LIMIT_RETRIES = 3
# Answers that could not be sent are tried again after this pause, doubling up to the cap.
SEND_RETRY_FIRST_S = 1.0
SEND_RETRY_MAX_S = 10.0
# Telegram's limit for a command description.
_DESCRIPTION_CHARS = 256


class _Router(Protocol):
    @property
    def public_commands(self) -> list[tuple[str, str]]: ...


class _Engine(Protocol):
    @property
    def router(self) -> _Router: ...


class DeskServices(Protocol):
    """What the driver needs of ``bot.services.Services`` (tests pass a small fake)."""

    @property
    def engine(self) -> _Engine: ...

    async def process(self, inbound: Inbound, event: str | None = None) -> Outcome | None: ...

    async def replies_sent(self, event: str) -> None: ...

    async def close(self) -> None: ...


ServicesOpener = Callable[[], Awaitable[DeskServices]]


class UpdateHandlers:
    """PTB's handlers and lifecycle hooks, holding the services opened in ``post_init``.

    (Not the coordinators' desk, flows/desk: this is what PTB calls for every update.)

    Services are opened inside the application's event loop (their SQLite connection
    belongs to the loop), which is why they are not passed in ready-made. ``tsunagu run``
    opens them before any channel (bot/run.py) and hands the open ones over; the desk's
    own work beside the channels (the outbox, reminders) is started there too.
    """

    def __init__(self, open_services: ServicesOpener) -> None:
        self._open_services = open_services
        self._services: DeskServices | None = None

    @property
    def services(self) -> DeskServices:
        if self._services is None:
            raise RuntimeError("services are not open yet (post_init has not run)")
        return self._services

    async def post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        self._services = await self._open_services()
        await publish_commands(application, self._services.engine.router.public_commands)
        log.info("desk ready as @%s", application.bot.username)

    async def post_shutdown(self, application: Application) -> None:  # type: ignore[type-arg]
        # Also called when post_init failed half-way, so the services may never have opened.
        if self._services is not None:
            await self._services.close()
            self._services = None

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = context.bot
        query = update.callback_query
        inbound = to_inbound(update, bot.username)
        if inbound is None:
            if query is not None:
                await answer_button(bot, query.id, None)
            return
        event = event_key("telegram", update.update_id)
        outcome = await self.services.process(inbound, event=event)
        if outcome is None:
            # Handled before (Telegram delivered it again): everything was sent then.
            return
        try:
            sent = await _deliver(context, outcome, inbound.chat_id,
                                  query.id if query is not None else None)
        except Exception:
            # Refused by Telegram (the error handler apologises) or a bug: not kept.
            await self.services.replies_sent(event)
            raise
        if sent:
            await self.services.replies_sent(event)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if not isinstance(update, Update):
            # Fetching updates failed (Telegram unreachable, a 5xx...); PTB keeps polling
            # with a back-off, so this is worth a line but not an alarm.
            level = logging.WARNING if isinstance(error, NetworkError) else logging.ERROR
            log.log(level, "polling failed: %s", describe_error(error))
            return
        # Type, place and update id only: messages and exception texts may carry what a
        # parent wrote about their child (a Telegram error can quote the message back).
        log.error("update %s failed: %s", update.update_id, describe_error(error))
        if isinstance(error, Forbidden):
            return  # the person blocked the bot; an apology could not reach them either
        await self._apologise(update, context)

    async def _apologise(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            inbound = to_inbound(update, context.bot.username)
            if inbound is None or inbound.chat_type != "private":
                return
            if update.callback_query is not None:
                await answer_button(context.bot, update.callback_query.id, None)
            await context.bot.send_message(chat_id=telegram_id(inbound.chat_id), text=APOLOGY)
        except Exception as exc:  # the error handler must never raise itself
            log.warning("apology for update %s not sent: %s", update.update_id, type(exc).__name__)


async def _deliver(
    context: ContextTypes.DEFAULT_TYPE, outcome: Outcome, chat_id: Address, query_id: str | None
) -> bool:
    """Send a step's answers, waiting out Telegram's failures; False if stopped first.

    429s beyond the rate limiter's own retries, 5xx answers, timeouts and network errors
    are tried again with a growing pause for as long as it takes: the step is saved, so a
    parent's answer must not be dropped because Telegram hiccuped. Meanwhile nothing else
    is handled and no more updates are fetched (HandledFirstBot), which is what we want
    while Telegram is away: no busy loop, no update lost, and the desk carries on where it
    was once Telegram answers again. A refusal is not a network failure (though PTB's
    BadRequest is a NetworkError): the same request would be refused forever and hold up
    everyone behind it, so that answer is given up and the rest go on (a refused text was
    already tried as plain text, bot/telegram/render.py); when the person blocked the bot
    (Forbidden) nothing more is tried. When the desk is stopped meanwhile, the answers stay
    saved and the update unconfirmed, so they are sent after the restart.
    """
    bot = context.bot
    replies = list(outcome.replies)
    pause = SEND_RETRY_FIRST_S
    while True:
        try:
            if query_id is not None:
                await answer_button(bot, query_id, outcome.toast)
                query_id = None
            while replies:
                # One by one, so that a retry does not send the ones that went out again.
                try:
                    await send_replies(bot, replies[:1], chat_id)
                except BadRequest as refused:
                    # Type only: Telegram's description may quote the refused text.
                    log.error("an answer was refused by Telegram (%s); given up",
                              type(refused).__name__)
                replies.pop(0)
            return True
        except Forbidden:
            log.warning("answers not sent: the chat refuses the bot")
            return True
        except (NetworkError, RetryAfter) as error:  # TimedOut is a NetworkError
            application = context.application
            if not application.running:
                raise  # not serving (updates fed by hand): the error handler reports it
            updater = application.updater
            if updater is not None and not updater.running:
                log.warning("answers not sent before stopping (%s); kept for the restart",
                            type(error).__name__)
                return False
            wait = retry_after_seconds(error) if isinstance(error, RetryAfter) else pause
            log.warning("answers not sent (%s); trying again in %.1f s",
                        type(error).__name__, wait)
            await asyncio.sleep(wait)
            pause = min(pause * 2, SEND_RETRY_MAX_S)


async def publish_commands(
    application: Application,  # type: ignore[type-arg]
    commands: Sequence[tuple[str, str]],
    translations: CatalogTranslations | None = None,
) -> None:
    """Show the public commands in the client's menu: Japanese, and English for "en"."""
    translations = translations or CatalogTranslations()
    scope = BotCommandScopeAllPrivateChats()  # the desk talks to families in private chats
    languages: tuple[tuple[Locale, str | None], ...] = (("ja", None), ("en", "en"))
    try:
        for locale, language_code in languages:
            t = translations.for_locale(locale)
            await application.bot.set_my_commands(
                [BotCommand(name, t.gettext(text)[:_DESCRIPTION_CHARS]) for name, text in commands],
                scope=scope,
                language_code=language_code,
            )
    except TelegramError as exc:
        # The command menu is a convenience; answering people must not wait for it.
        log.warning("bot commands not set: %s", type(exc).__name__)


def file_base_url(api_base_url: str) -> str:
    """The file URL that goes with an API URL: ``…/bot`` → ``…/file/bot`` (Telegram's layout).

    The desk downloads no files, but PTB builds the URL anyway; with a custom layout the
    API URL itself is reused rather than guessing.
    """
    if api_base_url.endswith("/bot"):
        return api_base_url.removesuffix("bot") + "file/bot"
    return api_base_url


class HandledFirstBot(ExtBot[int]):  # int: AIORateLimiter's per-call argument
    """Asks Telegram for more updates only once those fetched before are handled.

    PTB's polling asks again right after queueing a batch, and Telegram takes that request's
    offset as confirmation that the batch arrived. A crash (SIGKILL, power loss) while the
    batch waits in memory would then lose it: Telegram would never deliver it again. Here
    each getUpdates first waits until the update queue is drained, so the offset confirms
    only updates whose step is saved and whose answers went out; anything in flight at a
    crash comes again after the restart (handled once thanks to the update claim, answered
    from the saved replies). The updates are handled one at a time anyway, so waiting costs
    one round trip per batch and nothing else.
    """

    def attach(self, application: Application) -> None:  # type: ignore[type-arg]
        self._application = application

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        application: Application | None = getattr(  # type: ignore[type-arg]
            self, "_application", None)
        if application is not None:
            await application.update_queue.join()
            updater = application.updater
            if updater is not None and not updater.running:
                # PTB's last call while stopping, made only to confirm the last batch. Left
                # out: the batch comes again after a restart and is skipped as handled, or
                # answered then if its answers could not be sent before the stop.
                return ()
        return await super().get_updates(*args, **kwargs)


def build_application(
    settings: Settings,
    open_services: ServicesOpener,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """The application, ready for polling (bot/telegram/runner.py; ``process_update`` in
    tests)."""
    if settings.bot_token is None:
        raise ValueError("TSUNAGU_BOT_TOKEN is required to talk to Telegram")
    handlers = UpdateHandlers(open_services)
    # Built here rather than by the builder because of its getUpdates (HandledFirstBot);
    # the requests are the builder's defaults: a pool for sending, one connection to poll.
    bot = HandledFirstBot(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_base_url,
        base_file_url=file_base_url(settings.api_base_url),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        rate_limiter=AIORateLimiter(max_retries=RATE_LIMIT_RETRIES),
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=get_updates_request or HTTPXRequest(connection_pool_size=1),
    )
    builder = (
        Application.builder()
        .bot(bot)
        # One update at a time, in order: a parent's quick second message must not be
        # answered before the first, and the steps share one SQLite connection anyway.
        .concurrent_updates(False)
        .post_init(handlers.post_init)
        .post_shutdown(handlers.post_shutdown)
    )
    application = builder.build()
    bot.attach(application)
    application.add_handler(TypeHandler(Update, handlers.on_update))
    application.add_error_handler(handlers.on_error)
    application.bot_data["handlers"] = handlers
    return application
