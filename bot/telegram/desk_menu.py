"""The desk's commands in the coordinators' group's command menu (in the desk's language).

Families never see them: the public list is for private chats only, and this one is
scoped to the coordinators' group.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from flows.address import telegram_id
from flows.desk.commands import COMMANDS
from flows.turn import Deps

log = logging.getLogger(__name__)
_DESCRIPTION_CHARS = 256


async def publish_desk_commands(bot: Bot, deps: Deps) -> None:
    group = deps.desk.coordinators_chat
    if group is None:
        return
    t = deps.translations.for_locale(deps.desk.locale)
    # /ticket and /note are for private chats only, so the group's menu leaves them out.
    commands = [BotCommand(name, t.gettext(what)[:_DESCRIPTION_CHARS])
                for name, _params, what in COMMANDS if name not in ("ticket", "note")]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=telegram_id(group)))
    except TelegramError as exc:
        # A convenience only: the commands work without the menu.
        log.warning("desk commands not set for the group: %s", type(exc).__name__)
