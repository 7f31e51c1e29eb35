"""Bad input for the whole desk: generated updates through the real Telegram adapter.

A real PTB ``Application`` (tests/fake_bot_api.py in-process, which refuses what Telegram
would refuse) over the real services, engine and shipped content on a SQLite file, with
a coordinator on the roster and the coordinators' group configured. One request is made
first, so there is a ticket to forge buttons for. Then hypothesis draws updates one by one:
parents (random Unicode, texts over 4096 characters, stickers, photos, voice and more where
text was expected, edited messages, every command with or without arguments, the buttons of
the current screen, stale and forged button data, presses on inline messages), strangers
in the coordinators' group, the coordinator, other groups, channels and other bots.

After every update (``Fuzz.check``):

- nothing reached the error handler (no unhandled exception, no message Telegram refused:
  HTML that does not parse, more than 4096 characters after splitting, bad buttons);
- a private text, command, button or attachment got at least one message or edit back (a
  refused button may get its notice under the spinner instead);
  other groups, channels, bots and edited messages got nothing;
- every button sent carries callback data of at most 64 bytes that flows.callbacks.parse
  accepts;
- the person's session loads again and survives a JSON round trip;
- a stranger in the coordinators' group changed no ticket and was sent nothing private.

Used by tests/test_fuzz.py (CI size, derandomized) and benchmarks/fuzz.py (10,000 updates).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import shutil
import sqlite3
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from telegram import Update
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.services import Services
from bot.telegram.application import build_application
from bot.telegram.updates import to_inbound
from content.loader import DEFAULT_CONTENT_DIR
from flows import callbacks
from flows.address import telegram_id
from flows.model import Session
from flows.records import DeskSettings, RosterMember
from tests.fake_bot_api import App, FakeBotAPI, Json, buttons
from tests.fakes import tg
from tests.simulation import Parent, Plan

TOKEN = "123456:TEST-token-abc"
GROUP = -1001112223334
OTHER_GROUP = -1009990001112
COORDINATOR = 3_000_001
PARENTS = (3_100_001, 3_100_002, 3_100_003)
STRANGERS = (3_200_001, 3_200_002)
FIRST_FAMILY = 3_100_009

COMMANDS = (
    "start", "menu", "help", "language", "cancel", "resume", "offices", "mydata", "withdraw",
    "delete", "request", "roster", "desk", "queue", "mine", "ticket", "note", "reply", "claim",
    "release", "assign", "close", "reopen", "staff", "faq_list", "faq_show", "faq_edit",
    "faq_alt", "faq_reviewed", "preview", "faq_history", "faq_undo", "gaps", "reload",
    "settings", "x", "a_very_long_command_name_of_32ch",
)
ATTACHMENTS: dict[str, Any] = {
    "sticker": {"file_id": "CAAC", "file_unique_id": "AgAD", "type": "regular", "width": 512,
                "height": 512, "is_animated": False, "is_video": False},
    "photo": [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}],
    "voice": {"file_id": "AwAC", "file_unique_id": "AgAD", "duration": 3},
    "audio": {"file_id": "CQAC", "file_unique_id": "AgAD", "duration": 30},
    "video_note": {"file_id": "DQAC", "file_unique_id": "AgAD", "length": 240, "duration": 5},
    "video": {"file_id": "BAAC", "file_unique_id": "AgAD", "width": 640, "height": 480,
              "duration": 5},
    "document": {"file_id": "BQAC", "file_unique_id": "AgAD", "file_name": "a.pdf"},
    "location": {"latitude": 35.694, "longitude": 139.753},
    "contact": {"phone_number": "+81312345678", "first_name": "Hanako"},
    "dice": {"emoji": "🎲", "value": 3},
}

# What a generated update is, and how often (a parent answering the screen in front of them
# most, so that conversations get deep into the intake and the desk).
KINDS = (
    ("screen", 30), ("text", 14), ("command", 10), ("stale", 5), ("forged", 6),
    ("attachment", 5), ("edited", 3), ("inline", 2), ("group_stranger", 8),
    ("group_coordinator", 5), ("coordinator", 5), ("other_group", 3), ("channel", 2),
    ("bot", 2),
)
_KIND_LIMITS = tuple((k, sum(w for _, w in KINDS[: i + 1])) for i, (k, _) in enumerate(KINDS))

_BACKWARD = (":cancel", ":back", ":no", ":del", ":new", ":cancel_yes", ":edit", ":lang")
_MENUS = {"v1:menu", "v1:lang", "v1:off", "v1:faq:cats", "v1:lang:ja", "v1:lang:en"}

_TYPED = {"age": "2歳3か月", "phone": "090-1234-5678", "name": "千代田 花子",
          "writer_name": "佐藤 九段病院", "note": "夜の吸引が大変です", "phone_times": "午後",
          "care_other": "浣腸", "needs_other": "送迎", "situation_other": "祖父母の家",
          "discharge": "来月"}

# Text a person can type: anything but lone surrogates, which UTF-8 (and so Telegram's
# JSON) cannot carry.
_chars = st.characters(exclude_categories=["Cs"])
_html_bits = st.sampled_from(["<b>", "</b>", "<", ">", "&", "&amp;", "&#x110000;", "<a href=",
                              "\n", "\u202e", "\u200b", "\x00", "🧒", "１１９", "K-0001"])
_texts = st.one_of(
    st.text(_chars, max_size=60),
    st.lists(st.one_of(_html_bits, st.text(_chars, max_size=8)), max_size=12).map("".join),
    st.sampled_from(["訪問看護を使いたい", "子どもが息をしていない", "help", "2歳3か月",
                     "090-1234-5678", "千代田 花子", "   ", "レスパイト"]),
    # Longer than a message may be, with tags and entities where a cut could fall.
    st.tuples(st.text(_chars, min_size=1, max_size=12), st.integers(300, 700)).map(
        lambda t: (t[0] + " <b>&amp;</b>\n") * t[1]),
)
_parts = st.text(string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=12)
_forged = st.one_of(
    st.text(_chars, max_size=80),
    st.lists(_parts, min_size=1, max_size=6).map(lambda p: "v1:" + ":".join(p)),
    st.sampled_from(["v1:dk:c:1", "v1:dk:d:1", "v1:dk:r:1", "v1:dk:x:1", "v1:dk:c:999",
                     "v1:dk:c:-1", "v1:stf:save", "v1:tk:1", "v2:menu", "v1:", "", "v1:in",
                     "v1:in:summary:send", "v1:wd:yes", "v1:cs:ok", "v1:req:del",
                     "v1:" + "a" * 70]),
)


@dataclass
class Tally:
    examples: int = 0
    updates: int = 0
    replies: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    states: set[str] = field(default_factory=set)


class Fuzz:
    """The desk in its own event loop, fed one raw update at a time."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.api = FakeBotAPI(token=TOKEN)
        self.loop = asyncio.new_event_loop()
        self.errors: list[str] = []
        self.tally = Tally()
        self._handler = _Collect(self.errors)
        # Set by start() before anything uses them.
        self.app: App = None  # type: ignore[assignment]
        self.services: Services = None  # type: ignore[assignment]
        self.seen_buttons: list[str] = []

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Fuzz:
        content = self.workdir / "content"
        shutil.copytree(DEFAULT_CONTENT_DIR, content)  # nothing here may edit the shipped files
        logging.getLogger("bot").addHandler(self._handler)
        self.loop.run_until_complete(self._start(content))
        self._make_a_request()
        return self

    async def _start(self, content: Path) -> None:
        settings = Settings(bot_token=TOKEN, api_base_url="http://bot-api.test/bot")
        roster = [RosterMember(user_id=tg(COORDINATOR), coordinator=True, office="jido_katei",
                               display_name="Coordinator")]

        async def open_services() -> Services:
            self.services = await Services.start(
                self.workdir / "t.db", content, roster, DeskSettings(coordinators_chat=tg(GROUP)))
            return self.services

        def request() -> HTTPXRequest:
            return HTTPXRequest(httpx_kwargs={"transport": self.api.mock_transport()})

        self.app = build_application(settings, open_services, request=request(),
                                     get_updates_request=request())
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)

    def stop(self) -> None:
        async def _stop() -> None:
            assert self.app.post_shutdown is not None
            await self.app.post_shutdown(self.app)
            await self.app.shutdown()

        try:
            self.loop.run_until_complete(_stop())
        finally:
            self.loop.close()
            logging.getLogger("bot").removeHandler(self._handler)

    def _make_a_request(self) -> None:
        """One family's request, answered from the buttons like a parent would."""
        parent = Parent(FIRST_FAMILY, Plan.draw(random.Random(1), questions=0))
        action = parent.first_action()
        for _ in range(60):
            before = len(self.api.messages(FIRST_FAMILY))
            if action.kind == "text":
                raw = self.api.push_text(FIRST_FAMILY, action.value)
            elif action.kind == "command":
                raw = self.api.push_command(FIRST_FAMILY, action.value)
            else:
                raw = self.api.push_callback(FIRST_FAMILY, action.value, action.message_id)
            self.feed(raw)
            messages = self.api.messages(FIRST_FAMILY)
            screen = next((m for m in reversed(messages) if m.get("reply_markup")), None)
            next_action = parent.next_action(messages[before:], screen)
            if next_action is None:
                break
            action = next_action
        assert parent.references, "the setup request was not made"

    # --- feeding ------------------------------------------------------------------------

    def feed(self, raw: Json) -> None:
        self.loop.run_until_complete(self.app.process_update(Update.de_json(raw, self.app.bot)))

    def draw_update(self, data: st.DataObject) -> tuple[str, Json]:
        """What happens next, as a raw update and a short name of its kind."""
        api = self.api
        # A weighted mix; drawn as a number because hypothesis favours the first of a list,
        # from a wide range, and hashed before it is folded down: hypothesis also favours
        # small numbers, the ends of a range and the constants of every module loaded (so the
        # mix would change with the code around it), and the last kind, 2 in 100, could go a
        # whole run without being drawn.
        total = sum(w for _, w in KINDS)
        drawn = data.draw(st.integers(0, (1 << 32) - 1), label="kind")
        roll = int.from_bytes(hashlib.blake2b(drawn.to_bytes(4, "big"), digest_size=4).digest(),
                              "big") % total
        kind = next(k for k, limit in _KIND_LIMITS if roll < limit)
        user = data.draw(st.sampled_from(PARENTS), label="parent")
        lang = data.draw(st.sampled_from(["ja", "en", None, "zh-hans"]), label="language")
        if kind == "text":
            return kind, api.push_text(user, data.draw(_texts, label="text"), language_code=lang)
        if kind == "command":
            return kind, self._command(data, user, user, lang)
        # Which button is pressed depends on what the bot showed; the draw itself must not
        # (hypothesis replays draws), so an index is drawn and mapped onto what is there.
        index = data.draw(st.integers(0, 1 << 16), label="index")
        if kind == "screen":
            choices = [d for m in api.messages(user)[-3:] for _, d in buttons(m)]
            # Mostly a step forward, so that conversations get deep into the intake.
            forward = [d for d in choices if not d.endswith(_BACKWARD) and d not in _MENUS]
            if forward and index % 4:
                choices = forward
            step = next((d.split(":")[2] for d in choices if d.startswith("v1:in:")), None)
            if step in _TYPED and index % 3:
                # A question answered by typing: mostly a plausible answer.
                return kind, api.push_text(user, _TYPED[step], language_code=lang)
            if choices:
                pressed = choices[index % len(choices)]
                return kind, api.push_callback(user, pressed, language_code=lang)
            return kind, api.push_command(user, "start", language_code=lang)
        if kind == "stale":
            if self.seen_buttons:
                pressed = self.seen_buttons[-300:][index % min(300, len(self.seen_buttons))]
                return kind, api.push_callback(user, pressed, message_id=1, language_code=lang)
            kind = "forged"
        if kind == "forged":
            return kind, api.push_callback(user, data.draw(_forged, label="data"),
                                           language_code=lang)
        if kind == "attachment":
            name = data.draw(st.sampled_from(sorted(ATTACHMENTS)), label="attachment")
            message = api.user_message(user, language_code=lang) | {name: ATTACHMENTS[name]}
            if data.draw(st.booleans(), label="caption"):
                message["caption"] = data.draw(_texts, label="caption text")
            return kind, api.push_raw({"message": message})
        if kind == "edited":
            message = api.user_message(user, language_code=lang) | {
                "text": data.draw(_texts, label="edited text"), "edit_date": 1}
            return kind, api.push_raw({"edited_message": message})
        if kind == "inline":
            query = {"id": "inline1", "from": {"id": user, "is_bot": False, "first_name": "P"},
                     "chat_instance": "ci", "data": data.draw(_forged, label="inline data"),
                     "inline_message_id": "AAAA"}
            return kind, api.push_raw({"callback_query": query})
        if kind == "group_stranger":
            stranger = data.draw(st.sampled_from(STRANGERS), label="stranger")
            return kind, self._in_group(data, stranger, GROUP, lang)
        if kind == "group_coordinator":
            return kind, self._in_group(data, COORDINATOR, GROUP, lang)
        if kind == "coordinator":
            return kind, self._command(data, COORDINATOR, COORDINATOR, lang)
        if kind == "other_group":
            return kind, self._in_group(data, user, OTHER_GROUP, lang)
        if kind == "channel":
            post = {"message_id": 5, "date": 1, "text": data.draw(_texts, label="post"),
                    "chat": {"id": -1005550001, "type": "channel", "title": "News"}}
            return kind, api.push_raw({"channel_post": post})
        message = api.user_message(user, language_code=lang) | {
            "text": data.draw(_texts, label="bot text"),
            "from": {"id": 5_000_001, "is_bot": True, "first_name": "OtherBot",
                     "username": "other_bot"}}
        return kind, api.push_raw({"message": message})

    def _command(self, data: st.DataObject, user: int, chat: int, lang: str | None) -> Json:
        name = data.draw(st.sampled_from(COMMANDS), label="command")
        args = data.draw(st.one_of(st.just(""), st.sampled_from(["K-0001", "1", "K-9999",
                                                                 "ja", "x"]), _texts),
                         label="args")
        mention = data.draw(st.booleans(), label="mention")
        return self.api.push_command(user, name, args.strip(), chat_id=chat,
                                     language_code=lang, mention=mention)

    def _in_group(self, data: st.DataObject, user: int, chat: int, lang: str | None) -> Json:
        what = data.draw(st.sampled_from(["text", "command", "press", "reply"]), label="group")
        if what == "text":
            return self.api.push_text(user, data.draw(_texts, label="group text"), chat_id=chat,
                                      language_code=lang)
        if what == "command":
            return self._command(data, user, chat, lang)
        if what == "press":
            forged = data.draw(_forged, label="group button")
            index = data.draw(st.integers(0, 1 << 16), label="group index")
            # Half of the time a real button seen somewhere (a claim, a parent's answer).
            pressed = (self.seen_buttons[-50:][index % min(50, len(self.seen_buttons))]
                       if self.seen_buttons and index % 2 else forged)
            return self.api.push_callback(user, pressed, chat_id=chat, language_code=lang)
        # An answer to the bot's own message in the group, as coordinators reply to a ticket.
        message = self.api.user_message(user, chat, lang) | {
            "text": data.draw(_texts, label="reply text"),
            "reply_to_message": {"message_id": 1, "date": 1, "chat": {"id": chat,
                                 "type": "supergroup", "title": "G"},
                                 "from": self.api.bot_user(), "text": "K-0001 ..."}}
        return self.api.push_raw({"message": message})

    # --- the properties ------------------------------------------------------------------

    def step(self, kind: str, raw: Json) -> None:
        sent_before = len(self.api.sent)
        answered_before = len(self.api.callback_answers)
        tickets_before = self._tickets()
        self.errors.clear()
        self.feed(raw)
        new = self.api.sent[sent_before:]
        self.tally.updates += 1
        self.tally.replies += len(new)
        self.tally.by_kind[kind] = self.tally.by_kind.get(kind, 0) + 1
        self.check(kind, raw, new, answered_before, tickets_before)

    def check(self, kind: str, raw: Json, new: list[Json], answered_before: int,
              tickets_before: list[tuple[Any, ...]]) -> None:
        assert not self.errors, f"{kind}: the error handler was reached: {self.errors}"
        for message in new:
            for _, data in buttons(message):
                assert len(data.encode()) <= callbacks.MAX_BYTES, data
                assert callbacks.parse(data) is not None, f"unparseable button {data!r}"
                self.seen_buttons.append(data)
        update = Update.de_json(raw, self.app.bot)
        inbound = to_inbound(update, self.api.bot_username)
        chats = {m["chat_id"] for m in new}
        if kind in ("edited", "channel", "bot", "other_group"):
            assert not new, f"{kind}: answered {[m['text'][:80] for m in new]}"
        if inbound is not None and inbound.chat_type == "private":
            toasts = [a.get("text") for a in self.api.callback_answers[answered_before:]]
            if update.callback_query is not None:
                assert toasts, f"{kind}: button not acknowledged"
            # A refused button may answer with the notice under the spinner only.
            assert telegram_id(inbound.chat_id) in chats or any(toasts), f"{kind}: no reply"
            self._session_round_trip(inbound.session_key)
        if kind == "group_stranger":
            assert self._tickets() == tickets_before, "a stranger changed a ticket"
            body = raw.get("message") or raw.get("callback_query") or {}
            user = body.get("from", {}).get("id")
            assert user not in chats, "a stranger was sent something in private"
            assert not any(b[1].startswith("v1:dk:") for m in new for b in buttons(m)
                           if m["chat_id"] != GROUP), "coordinator buttons outside the group"

    def summary(self) -> list[str]:
        states = sorted(self.tally.states)
        with sqlite3.connect(self.workdir / "t.db") as conn:
            denied = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'denied'"
                                  ).fetchone()[0]
            tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        mix = ", ".join(f"{k} {n}" for k, n in sorted(self.tally.by_kind.items(),
                                                       key=lambda kv: -kv[1]))
        return [
            f"examples {self.tally.examples}, updates {self.tally.updates},"
            f" messages and edits sent {self.tally.replies}",
            f"kinds: {mix}",
            f"conversation states reached: {', '.join(states)}",
            f"tickets {tickets}; refusals audited {denied}",
        ]

    def _session_round_trip(self, key: str) -> None:
        async def load() -> Session:
            async with self.services.db.transaction() as tx:
                return await tx.sessions.load(key)

        session = self.loop.run_until_complete(load())
        self.tally.states.add(session.state)
        again = Session.model_validate_json(session.model_dump_json())
        assert again == session, f"session {key} does not survive a round trip"

    def _tickets(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.workdir / "t.db") as conn:
            return [tuple(r) for r in conn.execute(
                "SELECT id, status, assignee, claimed_at, closed_at FROM tickets ORDER BY id")]


class _Collect(logging.Handler):
    """Errors the desk logs: an update that failed, a background job that stopped."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())

