"""``tsunagu flyer --source ID --out DIR``: the flyer a desk hands to families.

The QR code needs the bot's @username: from TSUNAGU_BOT_USERNAME, or asked of Telegram
(getMe) with TSUNAGU_BOT_TOKEN at the configured Bot API address. Messages are printed in
the staff's language, like ``tsunagu content check``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import BOT_USERNAME
from content.base import N_

if TYPE_CHECKING:
    import httpx

    from bot.config import Settings
    from content.base import Translator
    from content.sources import Source

GETME_TIMEOUT = 15.0

NO_USERNAME = N_(
    "the flyer's QR code needs the bot's username: set TSUNAGU_BOT_USERNAME (its @username"
    " from @BotFather) or TSUNAGU_BOT_TOKEN"
)
GETME_UNREACHABLE = N_(
    "could not ask Telegram for the bot's username ({reason}); set TSUNAGU_BOT_USERNAME"
    " instead"
)
GETME_REFUSED = N_("Telegram refused to give the bot's username ({reason}); check"
                   " TSUNAGU_BOT_TOKEN, or set TSUNAGU_BOT_USERNAME instead")
UNKNOWN_SOURCE = N_("unknown source '{source}'; the sources in sources.yaml are: {known}")
NO_SOURCES = N_("there are no sources in sources.yaml yet: add one first")
SOURCE_NOT_CONFIRMED = N_(
    "the name of source '{source}' is still to be confirmed (【要確認】) in sources.yaml;"
    " fill it in first"
)
CONTENT_ERRORS = N_("the content has errors (run `tsunagu content check`)")


class FlyerRefused(Exception):
    """Why no flyer was written, in the staff's language, as one line."""


def add_flyer_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    flyer = sub.add_parser(
        "flyer", help="make a flyer with the bot's QR code (an A4 PDF to print and a PNG)"
    )
    flyer.add_argument("--source", required=True,
                       help="where it is handed out: an id from content/data/sources.yaml")
    flyer.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    flyer.add_argument("--lang", choices=["ja", "en"],
                       help="language of the flyer (default: Japanese)")


def run_flyer(settings: Settings, args: argparse.Namespace, out: TextIO | None = None,
              err: TextIO | None = None) -> int:
    # Imported here: the other commands start without reportlab and PDFium.
    from bot.flyer import telegram_link, write_flyer
    from content.i18n import CatalogTranslations
    from content.problems import staff_locale

    out = out or sys.stdout
    err = err or sys.stderr
    translations = CatalogTranslations()
    staff = translations.for_locale(staff_locale())
    try:
        source = _source(settings, args.source, staff)
        username = bot_username(settings, staff)
    except FlyerRefused as exc:
        print(f"tsunagu: {exc}", file=err)
        return 2
    written = write_flyer(
        source, telegram_link(username, source.id), settings.line_add_friend_url, args.out,
        translations.for_locale(args.lang or "ja"),
    )
    out.write(f"{written.pdf}\n{written.png}\n")
    return 0


def _source(settings: Settings, source_id: str, t: Translator) -> Source:
    from content.loader import load_content
    from content.models import TO_FILL

    loaded = load_content(settings.content_dir)
    if loaded.content is None:
        raise FlyerRefused(t.gettext(CONTENT_ERRORS))
    sources = loaded.content.sources
    source = sources.get(source_id)
    if source is None:
        if not sources.ids:
            raise FlyerRefused(t.gettext(NO_SOURCES))
        known = ", ".join(sorted(sources.ids))
        raise FlyerRefused(t.gettext(UNKNOWN_SOURCE).format(source=source_id, known=known))
    if TO_FILL in source.name.ja or TO_FILL in source.name.en:
        raise FlyerRefused(t.gettext(SOURCE_NOT_CONFIRMED).format(source=source_id))
    return source


def bot_username(settings: Settings, t: Translator,
                 transport: httpx.BaseTransport | None = None) -> str:
    """The bot's @username (without the @): from the settings, else from Telegram's getMe."""
    import httpx

    if settings.bot_username is not None:
        return settings.bot_username
    if settings.bot_token is None:
        raise FlyerRefused(t.gettext(NO_USERNAME))
    url = f"{settings.api_base_url}{settings.bot_token.get_secret_value()}/getMe"
    try:
        with httpx.Client(timeout=GETME_TIMEOUT, transport=transport) as client:
            response = client.get(url)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        # The exception's text would carry the URL, and the URL carries the token.
        raise FlyerRefused(
            t.gettext(GETME_UNREACHABLE).format(reason=type(exc).__name__)
        ) from None
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not body.get("ok") or not isinstance(result, dict):
        reason = body.get("description") if isinstance(body, dict) else None
        raise FlyerRefused(
            t.gettext(GETME_REFUSED).format(reason=str(reason or response.status_code))
        )
    username = result.get("username")
    if not isinstance(username, str) or not BOT_USERNAME.match(username):
        raise FlyerRefused(t.gettext(NO_USERNAME))
    return username
