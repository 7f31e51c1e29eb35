"""The baseline for benchmarks/load.py: a bare python-telegram-bot echo bot.

The smallest useful bot on the same library and the same fake Bot API: a text is sent back
with one button under it; a press of the button is acknowledged and answered with a
message, as any bot with buttons does. Its CPU per update is what tsunagu's is compared
with.

    TSUNAGU_BOT_TOKEN=... TSUNAGU_API_BASE_URL=http://127.0.0.1:PORT/bot \\
        .venv/bin/python benchmarks/echo_bot.py
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text, reply_markup=AGAIN)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, "pressed", reply_markup=AGAIN)


def main() -> None:
    application = (
        Application.builder()
        .token(os.environ["TSUNAGU_BOT_TOKEN"])
        .base_url(os.environ["TSUNAGU_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    timeout = int(os.environ.get("TSUNAGU_POLL_TIMEOUT", "1"))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=timeout)


if __name__ == "__main__":
    main()
