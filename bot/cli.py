"""The ``tsunagu`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import ConfigError, Settings, load_settings
from bot.content_cli import add_content_commands, run_content_command
from bot.flyer_cli import add_flyer_command, run_flyer
from bot.milestones_cli import add_milestones_command, run_milestones
from bot.report_cli import add_report_command, run_report
from content.base import Locale

if TYPE_CHECKING:
    from bot.services import Services


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsunagu",
        description="Chat desk for families of children who need medical care at home.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="talk with the bot in this terminal")
    console.add_argument("--lang", choices=["ja", "en"], help="answer in this language")

    sub.add_parser(
        "run",
        help="serve the desk on the configured channels (Telegram: long polling; LINE: webhook)",
    )

    ask = sub.add_parser("ask", help="show how the bot would answer a message")
    ask.add_argument("--lang", choices=["ja", "en"], help="language of the message")
    ask.add_argument("--json", action="store_true", help="one JSON object per message")
    ask.add_argument("message", help="the message, or - to read one message per line from stdin")

    content = sub.add_parser("content", help="work with the content files")
    add_content_commands(content)
    add_report_command(sub)
    add_milestones_command(sub)
    add_flyer_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "content":
            return run_content_command(args)
        if args.command == "milestones":
            return run_milestones(args)
        if args.command == "run":
            # Which channels to start, and whether any is configured, is run's to say.
            settings = load_settings()
            _configure_logging(settings)
            from bot.run import run

            return run(settings)
        settings = load_settings()
        _configure_logging(settings, quiet=True)
        if args.command == "console":
            return asyncio.run(_console(settings, args.lang))
        if args.command == "ask":
            return asyncio.run(_ask(settings, args.message, args.lang, args.json, sys.stdout))
        if args.command == "report":
            return asyncio.run(run_report(settings, args))
        if args.command == "flyer":
            return run_flyer(settings, args)
    except ConfigError as exc:
        print(f"tsunagu: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _configure_logging(settings: Settings, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level)
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # httpx logs full request URLs, and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _start_services(settings: Settings, db: Path | str) -> Services:
    from bot.services import Services
    from content.source import ContentError

    try:
        return await Services.start(db, settings.content_dir, settings.roster_seed(),
                                    semantic=settings.semantic)
    except ContentError as exc:
        raise ConfigError(
            f"TSUNAGU_CONTENT_DIR: content has errors (run `tsunagu content check`):\n{exc}"
        ) from None


async def _console(settings: Settings, lang: Locale | None) -> int:
    from bot.console import ConsoleDriver

    services = await _start_services(settings, settings.db)
    try:
        return await ConsoleDriver(services, sys.stdout, lang).run(sys.stdin)
    finally:
        await services.close()


# Longest wait for the background readers before `tsunagu ask` answers (embedding every
# entry on a cold cache takes about 20 s on a small machine).
_SETTLE_SECONDS = 120.0


async def _ask(settings: Settings, message: str, lang: Locale | None, as_json: bool,
               out: TextIO) -> int:
    from bot.ask import Asker

    # A private in-memory database: asking must not touch real conversations or logs.
    services = await _start_services(settings, ":memory:")
    try:
        asker = Asker(services)
        # Answered as the settled bot answers, whatever the order the background readers
        # finish in; the wait also leaves their disk cache written for the next start.
        await asyncio.to_thread(services.content.settle, _SETTLE_SECONDS)
        messages = sys.stdin if message == "-" else [message]
        for line in messages:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            result = await asker.ask(text, lang)
            if as_json:
                out.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
            else:
                out.write(result.as_text() + "\n\n")
            out.flush()
    finally:
        await services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
