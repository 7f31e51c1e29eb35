"""The real ``tsunagu run`` process, long polling the fake Bot API on 127.0.0.1.

Select with ``pytest -m e2e``; leave out with ``pytest -m "not e2e"``. Every wait is
bounded, and the process is killed if a test leaves it running.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from content.loader import DEFAULT_CONTENT_DIR
from tests.bot_process import clean_env, tsunagu_command
from tests.fake_bot_api import FakeBotAPI, Json, buttons
from tests.running_desk import (
    REPLY_TIMEOUT,
    START_TIMEOUT,
    TOKEN,
    StartDesk,
    needs_content,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PARENT = 700_001


def button_data(message: Json, prefix: str) -> str:
    for _, data in buttons(message):
        if data == prefix or data.startswith(prefix + ":"):
            return data
    raise AssertionError(f"no button {prefix!r} in {buttons(message)}")


def replies_after(api: FakeBotAPI, count_before: int, count: int = 1) -> list[Json]:
    return api.wait_for_messages(PARENT, count, REPLY_TIMEOUT, after=count_before)


def shown(message: Json) -> str:
    """What the parent sees: the text and the button labels."""
    return " ".join([message["message"]["text"], *(label for label, _ in buttons(message))])


def assert_redelivery_ignored(api: FakeBotAPI, update: Json) -> None:
    """Redeliver ``update``, then send /help: only the help reply may arrive.

    Updates are handled one at a time in order, so once the help reply is here the
    redelivered update has been dealt with too.
    """
    count = len(api.messages(PARENT))
    api.redeliver(update["update_id"])
    api.push_command(PARENT, "help")
    api.wait_for(
        lambda: any("/help" in m["text"] for m in api.messages(PARENT)[count:]) or None,
        REPLY_TIMEOUT,
        lambda: "the /help reply",
    )
    after = api.messages(PARENT)[count:]
    assert len(after) == 1, [shown(m) for m in after]
    assert api.calls_of("getUpdates")[-1].params, "the bot kept polling"


@needs_content
def test_a_conversation_through_the_real_process(
    api: FakeBotAPI, start_desk: StartDesk
) -> None:
    desk = start_desk()

    # The command menu was published in both languages before polling began.
    assert ("all_private_chats", "") in api.commands
    assert ("all_private_chats", "en") in api.commands

    api.push_command(PARENT, "start")
    [welcome] = replies_after(api, 0)
    assert welcome["parse_mode"] == "HTML"
    assert welcome["reply_markup"], "the welcome carries the inline menu"

    pressed = api.push_callback(
        PARENT, button_data(welcome, "v1:off"), message_id=welcome["message_id"]
    )
    [answer] = api.wait_for_callback_answers(1, REPLY_TIMEOUT)
    assert answer["callback_query_id"] == pressed["callback_query"]["id"]
    [overview] = replies_after(api, 1)
    assert "v1:off:" in " ".join(data for _, data in buttons(overview)), "office buttons"

    count = len(api.messages(PARENT))
    question = api.push_text(PARENT, "訪問看護を使いたい")
    faq = replies_after(api, count)
    assert "訪問看護" in shown(faq[0])

    count = len(api.messages(PARENT))
    api.push_text(PARENT, "子どもが息をしていない")
    emergency = replies_after(api, count)
    assert "119" in emergency[0]["text"]

    # Telegram delivers the FAQ question again, unchanged: nothing is sent for it.
    assert_redelivery_ignored(api, question)

    assert desk.terminate() == 0, desk.output()[-3000:]


@needs_content
def test_an_update_redelivered_after_a_restart_is_handled_once(
    api: FakeBotAPI, start_desk: StartDesk
) -> None:
    first = start_desk()
    question = api.push_text(PARENT, "訪問看護を使いたい")
    replies_after(api, 0)
    assert first.terminate() == 0

    # As after a crash before Telegram saw the confirmation: the same update comes again.
    second = start_desk()
    assert_redelivery_ignored(api, question)
    assert second.terminate() == 0


@needs_content
def test_the_token_and_what_parents_write_never_reach_the_logs(
    api: FakeBotAPI, start_desk: StartDesk
) -> None:
    desk = start_desk(log_level="DEBUG")
    story = "娘の気管カニューレが夜中に抜けてしまいました"
    api.push_command(PARENT, "start")
    api.push_text(PARENT, story)
    api.wait_for_messages(PARENT, 2, REPLY_TIMEOUT)
    assert desk.terminate() == 0
    logged = desk.output()
    assert " DEBUG " in logged, "the run really logged at DEBUG"
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged
    assert story not in logged
    assert "Parent700001" not in logged  # the fake's first name for the parent


@needs_content
def test_the_desk_rides_out_telegram_errors(
    api: FakeBotAPI, start_desk: StartDesk
) -> None:
    desk = start_desk()
    api.add_fault("getUpdates", "500", limit=2)
    api.add_fault("sendMessage", "429", retry_after=1, limit=1)
    api.push_command(PARENT, "start")
    # Two failed polls (PTB backs off 1 s, then 1.5 s) and one 429 (waited out): ~4 s.
    [welcome] = api.wait_for_messages(PARENT, 1, REPLY_TIMEOUT + 5)
    assert welcome["reply_markup"]
    assert [c.fault for c in api.calls_of("sendMessage")] == ["429", None]
    # The bot asks for more updates only once /start is answered: the failed polls come
    # after the welcome, and polling goes on after them.
    faulted = api.wait_for_call("getUpdates", REPLY_TIMEOUT, count=2,
                                where=lambda c: c.fault is not None)
    api.wait_for_call("getUpdates", REPLY_TIMEOUT,
                      where=lambda c: c.fault is None and c.at > faulted[-1].at)
    assert desk.terminate() == 0
    assert "polling failed: NetworkError" in desk.output()


@needs_content
def test_staff_edits_to_the_content_are_noticed_while_running(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    desk = start_desk(TSUNAGU_CONTENT_DIR=str(content))
    with (content / "offices.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n: this line is not YAML [\n")
    api.wait_for(
        lambda: "content change refused" in desk.output() or None,
        START_TIMEOUT,
        lambda: "the refused content change in the log",
    )
    # The last good content keeps serving.
    api.push_command(PARENT, "start")
    replies_after(api, 0)
    assert desk.terminate() == 0


def test_a_roster_naming_an_unknown_office_stops_with_a_clear_line(tmp_path: Path) -> None:
    with FakeBotAPI(token=TOKEN) as api:
        env = clean_env(
            TSUNAGU_BOT_TOKEN=TOKEN,
            TSUNAGU_API_BASE_URL=api.base_url,
            TSUNAGU_DB=str(tmp_path / "t.db"),
            TSUNAGU_COORDINATORS="1001:no_such_office",
        )
        result = subprocess.run(
            tsunagu_command(), cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False
        )
    assert result.returncode == 2
    errors = [line for line in result.stderr.decode().splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "TSUNAGU_COORDINATORS" in errors[0], errors


def test_missing_token_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    env = clean_env(TSUNAGU_DB=str(tmp_path / "t.db"))
    result = subprocess.run(
        tsunagu_command(), cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "TSUNAGU_BOT_TOKEN" in lines[0]
    assert result.stdout == b""
