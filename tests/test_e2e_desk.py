"""The coordinators' desk through the real ``tsunagu run`` process and the fake Bot API on
127.0.0.1, with the shipped content and catalogs: a family's request reaches the group
without personal details, two coordinators race for it, the details reach the winner in
private only, a reply goes both ways, and a stranger is refused.

Select with ``pytest -m e2e``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotAPI, Json, buttons
from tests.fakes import tg
from tests.running_desk import (
    PARENT,
    REPLY_TIMEOUT,
    StartDesk,
    needs_content,
    request_as_parent,
    stepper,
    wait_for_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

GROUP = -1001234567890
A, B, STRANGER = 700_101, 700_102, 700_999
PERSONAL = ("Hanako", "090-1234-5678", "suction", "Suction", "吸引")


def reply_to(fake: FakeBotAPI, user: int, message: Json, text: str) -> Json:
    raw = fake.user_message(user, message["chat_id"], language_code="en") | {
        "text": text, "reply_to_message": message["message"]}
    return fake.push_raw({"message": raw})


@needs_content
def test_the_desk_through_the_real_process(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    desk = start_desk(TSUNAGU_COORDINATORS_CHAT=str(GROUP),
                      TSUNAGU_COORDINATORS=f"{A}:jido_katei,{B}")

    step = stepper(api)
    request_as_parent(api)

    # The group hears of it, without anything that identifies the family.
    notice = wait_for_text(api, GROUP, "K-0001")
    assert "児童・家庭支援センター" in notice["text"]  # the office, in the desk's Japanese
    assert "保育園・幼稚園" in notice["text"]  # what they need help with, by its label
    for personal in PERSONAL:
        assert personal not in notice["text"]

    # A opens a private chat with the bot; then A and B press "take it" at the same time.
    step(lambda: api.push_command(A, "start", language_code="ja"), "v1:", chat=A)
    claim = next(data for _, data in buttons(notice) if data.startswith("v1:dk:c:"))
    answers_before = len(api.callback_answers)
    first = api.push_callback(A, claim, message_id=notice["message_id"], chat_id=GROUP)
    second = api.push_callback(B, claim, message_id=notice["message_id"], chat_id=GROUP)
    answers = api.wait_for_callback_answers(answers_before + 2, REPLY_TIMEOUT)
    toasts = {a["callback_query_id"]: a.get("text") or "" for a in answers}
    assert "K-0001" in toasts[second["callback_query"]["id"]]
    assert "Parent700101" in toasts[second["callback_query"]["id"]]  # who holds it
    assert first["callback_query"]["id"] in toasts
    api.wait_for(lambda: api.messages(GROUP, "editMessageText") or None, REPLY_TIMEOUT,
                 lambda: "the group message edited")
    [edited] = api.messages(GROUP, "editMessageText")
    assert "Parent700101" in edited["text"]

    # The details reach A in private, and nobody else.
    details = wait_for_text(api, A, "Hanako Chiyoda")
    assert "090-1234-5678" in details["text"]
    assert api.messages(B) == []
    for message in api.messages(GROUP) + api.messages(GROUP, "editMessageText"):
        for personal in PERSONAL:
            assert personal not in message["text"], personal
    wait_for_text(api, PARENT, "K-0001")  # the family is told it was taken

    # A reply both ways.
    step(lambda: api.push_command(A, "reply", "K-0001 I will call you at 10:00 tomorrow."),
         "I will call you at 10:00 tomorrow.")
    relayed = step(lambda: api.push_text(PARENT, "Thank you, mornings are best.",
                                         language_code="en"),
                   "mornings are best", chat=A)
    assert "K-0001" in relayed["text"]
    step(lambda: reply_to(api, A, relayed, "Then 10:00 it is."), "Then 10:00 it is.")

    # A stranger is refused.
    refusal = step(lambda: api.push_command(STRANGER, "queue", language_code="en"),
                   "only for the desk's coordinators", chat=STRANGER)
    assert "K-0001" not in refusal["text"]

    assert desk.terminate() == 0, desk.output()[-3000:]
    logged = desk.output()
    for secret in ("Hanako", "090-1234-5678", "mornings are best", "10:00 tomorrow"):
        assert secret not in logged

    conn = sqlite3.connect(tmp_path / "t.db")
    try:
        audit = [tuple(r) for r in conn.execute(
            "SELECT actor, action, subject FROM audit ORDER BY id")]
        [outbox_unsent] = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
    finally:
        conn.close()
    assert (tg(A), "ticket.claim", "K-0001") in audit
    assert (tg(A), "ticket.read", "K-0001") in audit
    assert (tg(STRANGER), "denied", "/queue") in audit
    assert outbox_unsent == (0,)
    assert not re.search(r"K-0001.*K-0001", " ".join(
        m["text"] for m in api.messages(GROUP))), "announced once"


@needs_content
def test_a_name_telegram_cannot_parse_never_stalls_the_desk(
    api: FakeBotAPI, start_desk: StartDesk, tmp_path: Path
) -> None:
    """A coordinator named 「A<B」 holds a request and another asks for it: the answers carry
    the name as text, Telegram (whose parser refuses a stray ``<``) accepts them, and a
    parent who writes about an emergency right after is answered, before and after a
    restart."""
    api.first_names[A] = "A<B & <i>Co"
    desk = start_desk(TSUNAGU_COORDINATORS_CHAT=str(GROUP),
                      TSUNAGU_COORDINATORS=f"{A}:jido_katei,{B}")
    step = stepper(api)
    request_as_parent(api)
    notice = wait_for_text(api, GROUP, "K-0001")
    step(lambda: api.push_command(A, "start", language_code="ja"), "v1:", chat=A)
    claim = next(data for _, data in buttons(notice) if data.startswith("v1:dk:c:"))
    api.push_callback(A, claim, message_id=notice["message_id"], chat_id=GROUP)
    wait_for_text(api, A, "Hanako Chiyoda")

    # B asks for it by command in the group: the answer names the holder in HTML.
    escaped = "A&lt;B &amp; &lt;i&gt;Co"
    taken = step(lambda: api.push_command(B, "claim", "K-0001", chat_id=GROUP,
                                          language_code="en"), escaped, chat=GROUP)
    assert taken["parse_mode"] == "HTML"
    assert escaped in api.messages(GROUP, "editMessageText")[-1]["text"]

    guidance = step(lambda: api.push_text(PARENT, "息をしていない", language_code="ja"), "119")
    assert "119" in guidance["text"]
    assert api.refusals == []

    assert desk.terminate() == 0, desk.output()[-3000:]
    start_desk(TSUNAGU_COORDINATORS_CHAT=str(GROUP), TSUNAGU_COORDINATORS=f"{A}:jido_katei,{B}")
    again = step(lambda: api.push_text(PARENT, "息をしていない", language_code="ja"), "119")
    assert "119" in again["text"]
    # Nothing was handled twice after the restart: one answer to B's /claim in all.
    assert len([m for m in api.messages(GROUP) if escaped in m["text"]]) == 1
    assert api.refusals == []
