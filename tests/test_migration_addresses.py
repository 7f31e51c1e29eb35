"""Migration 0011: a database the desk wrote before addresses keeps working after the upgrade.

The rows below are what version 0010 stored (Telegram numbers in every id column), written
with SQL at that version; the desk then opens the file, migrates it and carries on with them.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from flows.model import Inbound
from storage.migrate import available, current_version, migrate
from tests.desk_world import GROUP, PARENT, STAFF, SUPERVISOR, A, B, World, send_request
from tests.fakes import FixedClock, tg

OLD_VERSION = 10
MIDWAY = 7171  # a family in the middle of the request form
HELD_FAMILY = 6161  # a family whose request K-0002 Aoki holds
PARTNER = 2001
ANSWERS = json.dumps({"age": {"kind": "age", "years": 1, "months": 0}, "needs": ["talk"],
                      "name": "Hanako Chiyoda"})
KEPT_REPLIES = json.dumps({"replies": [
    {"text": "first", "buttons": [], "chat_id": None, "edit_message_id": None},
    {"text": "to the group", "buttons": [], "chat_id": GROUP, "edit_message_id": 31},
], "toast": None})

# Every column that names a person or a chat, now text holding an address.
ADDRESS_COLUMNS = {
    "processed_updates": "update_id", "intake_drafts": "chat_id", "tickets": "assignee",
    "ticket_details": "chat_id", "outbox": "recipient", "roster": "user_id",
    "content_changes": "actor", "ticket_entries": "author", "ticket_needs": "recorded_by",
    "ticket_need_changes": "actor", "shares": "actor",
}


async def _consent_columns(tmp_path: Path) -> tuple[str, str]:
    """The consent text's version and hash, as the intake records them today."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    world = await World.open(scratch, locale="en")
    try:
        for data in ("v1:req", "v1:cs:role:guardian", "v1:cs:t:intake", "v1:cs:t:share",
                     "v1:cs:ok"):
            await world.parent.press(data)
        [row] = await world.rows("SELECT text_version, text_hash FROM consents")
    finally:
        await world.close()
    return row["text_version"], row["text_hash"]


async def _database_at_0010(path: Path, version: str, digest: str, now: str) -> None:
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        assert await migrate(conn, upto=OLD_VERSION) == OLD_VERSION
        rows: list[tuple[str, tuple[Any, ...]]] = [
            ("INSERT INTO roster (user_id, display_name, office, is_coordinator, updated_at,"
             " private_chat_at) VALUES (?, 'Aoki', 'jido_katei', 1, ?, ?)", (A, now, now)),
            # Taken off by staff: the environment still names them, they stay off.
            ("INSERT INTO roster (user_id, is_coordinator, active, updated_at)"
             " VALUES (?, 1, 0, ?)", (B, now)),
            ("INSERT INTO roster (user_id, display_name, is_partner, department, updated_at,"
             " private_chat_at) VALUES (?, 'Ito', 1, 'hokenjo', ?, ?)", (PARTNER, now, now)),
        ]
        for n, family in enumerate((PARENT, HELD_FAMILY, MIDWAY), start=1):
            rows.append((
                "INSERT INTO consents (id, at, subject, decision, locale, text_version,"
                " text_hash, use_for_request, share_with_departments, age_information, writer,"
                " guardian_confirmed) VALUES (?, ?, ?, 'granted', 'en', ?, ?, 1, 1, 0,"
                " 'guardian', 0)",
                (n, now, f"telegram:{family}:{family}", version, digest)))
        rows += [
            ("UPDATE ticket_numbers SET last = 2", ()),
            # K-0001: new, its notice still in the outbox. K-0002: held by Aoki.
            ("INSERT INTO tickets (id, number, reference, created_at, status, office, priority,"
             " waiting_since) VALUES (1, 1, 'K-0001', ?, 'new', 'jido_katei', 'normal', ?)",
             (now, now)),
            ("INSERT INTO tickets (id, number, reference, created_at, status, office, priority,"
             " assignee, claimed_at, waiting_since, group_message_id, family_messages)"
             " VALUES (2, 2, 'K-0002', ?, 'assigned', 'jido_katei', 'normal', ?, ?, ?, 500, 1)",
             (now, A, now, now)),
            ("INSERT INTO ticket_details VALUES (1, ?, 'telegram', ?, 'en', 1, 1, ?)",
             (f"telegram:{PARENT}:{PARENT}", PARENT, ANSWERS)),
            ("INSERT INTO ticket_details VALUES (2, ?, 'telegram', ?, 'en', 2, 1, ?)",
             (f"telegram:{HELD_FAMILY}:{HELD_FAMILY}", HELD_FAMILY, ANSWERS)),
            ("INSERT INTO ticket_entries (ticket_id, at, kind, author, text)"
             " VALUES (2, ?, 'family', NULL, 'Nights are hard'),"
             " (2, ?, 'note', ?, 'Called the hospital')", (now, now, A)),
            ("INSERT INTO ticket_needs (id, ticket_id, code, status, recorded_at, recorded_by,"
             " updated_at) VALUES (1, 2, 'short_stay', 'open', ?, ?, ?)", (now, A, now)),
            ("INSERT INTO ticket_need_changes (need_id, at, status, actor)"
             " VALUES (1, ?, 'open', ?)", (now, A)),
            ("INSERT INTO ticket_need_notes VALUES (1, 2, 'asked twice')", ()),
            ("INSERT INTO shares (at, ticket_id, department, actor, consent_id, recipients)"
             " VALUES (?, 2, 'hokenjo', ?, 2, 1)", (now, A)),
            ("INSERT INTO outbox (created_at, kind, ticket_id, office, payload, next_attempt_at)"
             " VALUES (?, 'ticket_new', 1, 'jido_katei', '{\"reference\": \"K-0001\"}', ?)",
             (now, now)),
            ("INSERT INTO outbox (created_at, kind, ticket_id, office, recipient, payload,"
             " sent_at) VALUES (?, 'ticket_shared', 2, 'jido_katei', ?, ?, ?)",
             (now, PARTNER, json.dumps({"reference": "K-0002", "by": A,
                                        "department": "hokenjo"}), now)),
            ("INSERT INTO outbox (created_at, kind, ticket_id, office, payload, sent_at)"
             " VALUES (?, 'desk_notice', 2, 'jido_katei', ?, ?)",
             (now, json.dumps({"reference": "K-0002", "event": "open_private_chat",
                               "user": A}), now)),
            ("INSERT INTO processed_updates VALUES (900, ?, ?)", (now, KEPT_REPLIES)),
            ("INSERT INTO processed_updates VALUES (901, ?, NULL)", (now,)),
            # The family in the middle of the form: their step, draft and consent.
            ("INSERT INTO sessions VALUES (?, 'intake:age', 'en', '{}', ?)",
             (f"telegram:{MIDWAY}:{MIDWAY}", now)),
            ("INSERT INTO intake_drafts VALUES (?, 'telegram', ?, 'en', 3, ?, ?, ?, NULL)",
             (f"telegram:{MIDWAY}:{MIDWAY}", MIDWAY,
              json.dumps({"writer": "guardian", "_age_info": False, "_step": "age",
                          "residence": "chiyoda", "_done": ["residence"]}), now, now)),
            # A draft started at the console keeps its channel.
            ("INSERT INTO intake_drafts VALUES ('console:1:1', 'console', 1, 'en', 3, '{}',"
             " ?, ?, NULL)", (now, now)),
            ("INSERT INTO content_changes (at, actor, entry_id, locale, field, old_value,"
             " new_value) VALUES (?, ?, 'coord_what', 'en', 'answer', '{}', '{}')",
             (now, SUPERVISOR)),
            ("INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, 'roster.remove', ?),"
             " (?, 'environment', 'roster.seed', ?), (?, 'family', 'ticket.reopen', 'K-0002'),"
             " (?, ?, 'ticket.claim', 'K-0002')",
             (now, SUPERVISOR, B, now, A, now, now, A)),
        ]
        await conn.execute("BEGIN")
        for sql, args in rows:
            await conn.execute(sql, args)
        await conn.execute("COMMIT")


async def _upgraded(tmp_path: Path) -> World:
    clock = FixedClock()
    version, digest = await _consent_columns(tmp_path)
    before = (clock.now() - timedelta(hours=1)).isoformat()
    await _database_at_0010(tmp_path / "desk.db", version, digest, before)
    return await World.open(tmp_path, clock=clock, locale="en")  # migrates the file


async def test_the_upgrade_turns_every_id_into_an_address(tmp_path: Path) -> None:
    world = await _upgraded(tmp_path)
    try:
        [version] = await world.rows("PRAGMA user_version")
        assert version["user_version"] == len(available()) > OLD_VERSION
        for table, column in ADDRESS_COLUMNS.items():
            columns = await world.rows(f"PRAGMA table_info({table})")
            assert {c["name"]: c["type"] for c in columns}[column] == "TEXT", (table, column)
        [enforced] = await world.rows("PRAGMA foreign_keys")
        assert enforced["foreign_keys"] == 1  # enforced again after the migration
        assert await world.rows("PRAGMA foreign_key_check") == []

        roster = await world.rows("SELECT user_id, active FROM roster ORDER BY user_id")
        assert {r["user_id"]: r["active"] for r in roster} == {
            tg(A): 1, tg(B): 0, tg(PARTNER): 1, tg(SUPERVISOR): 1, tg(STAFF): 1}
        assert [r["chat_id"] for r in await world.rows(
            "SELECT chat_id FROM ticket_details ORDER BY ticket_id")] == [tg(PARENT),
                                                                           tg(HELD_FAMILY)]
        drafts = await world.rows("SELECT subject, chat_id FROM intake_drafts ORDER BY subject")
        assert [(d["subject"], d["chat_id"]) for d in drafts] == [
            ("console:1:1", "console:1"), (f"telegram:{MIDWAY}:{MIDWAY}", tg(MIDWAY))]
        tickets = await world.rows("SELECT reference, assignee FROM tickets ORDER BY id")
        assert [(t["reference"], t["assignee"]) for t in tickets] == [("K-0001", None),
                                                                      ("K-0002", tg(A))]
        entries = await world.rows("SELECT author FROM ticket_entries ORDER BY id")
        assert [e["author"] for e in entries] == [None, tg(A)]  # the family's stays NULL
        [need] = await world.rows("SELECT recorded_by FROM ticket_needs")
        [change] = await world.rows("SELECT actor FROM ticket_need_changes")
        [share] = await world.rows("SELECT actor FROM shares")
        [edit] = await world.rows("SELECT actor FROM content_changes")
        assert (need["recorded_by"], change["actor"], share["actor"], edit["actor"]) == (
            tg(A), tg(A), tg(A), tg(SUPERVISOR))
        [note] = await world.rows("SELECT text FROM ticket_need_notes")
        assert note["text"] == "asked twice"  # the children of rebuilt tables are all there

        outbox = await world.rows("SELECT recipient, payload FROM outbox ORDER BY id")
        assert [o["recipient"] for o in outbox] == [None, tg(PARTNER), None]
        assert json.loads(outbox[1]["payload"])["by"] == tg(A)
        assert json.loads(outbox[2]["payload"])["user"] == tg(A)

        audit = await world.rows("SELECT actor, action, subject FROM audit ORDER BY id")
        assert [(r["actor"], r["action"], r["subject"]) for r in audit][:4] == [
            (tg(SUPERVISOR), "roster.remove", tg(B)), ("environment", "roster.seed", tg(A)),
            ("family", "ticket.reopen", "K-0002"), (tg(A), "ticket.claim", "K-0002")]

        updates = await world.rows("SELECT update_id, replies FROM processed_updates"
                                   " ORDER BY update_id")
        assert [u["update_id"] for u in updates] == ["telegram:900", "telegram:901"]
        kept = json.loads(updates[0]["replies"])
        assert [r["chat_id"] for r in kept["replies"]] == [None, tg(GROUP)]
        assert [r["text"] for r in kept["replies"]] == ["first", "to the group"]
        assert updates[1]["replies"] is None
    finally:
        await world.close()


async def test_the_desk_carries_on_with_what_it_had(tmp_path: Path) -> None:
    world = await _upgraded(tmp_path)
    try:
        # The notice that waited in the outbox goes to the coordinators' group.
        [notice] = world.to(GROUP, await world.deliver())
        assert "K-0001" in notice.text

        # Aoki is still a coordinator: takes the old ticket and writes to its family.
        a = world.private(A)
        await a.command("claim", "K-0001")
        assert "K-0001" in a.said and "already" not in a.said
        [row] = await world.rows("SELECT assignee, status FROM tickets WHERE id = 1")
        assert (row["assignee"], row["status"]) == (tg(A), "assigned")
        await world.deliver()
        await a.command("reply", "K-0001 I will call you tomorrow")
        assert "Sent to the family of K-0001" in a.said
        [to_family] = world.to(PARENT, await world.deliver())
        assert "I will call you tomorrow" in to_family.text

        # The ticket Aoki held before the upgrade is still theirs, with its history.
        await a.command("ticket", "K-0002")
        assert "Hanako Chiyoda" in a.said and "Called the hospital" in a.said
        assert "Note by Aoki" in a.said
        await a.command("mine")
        assert "K-0001" in a.said and "K-0002" in a.said

        # Its family's message still reaches Aoki.
        family = world.private(HELD_FAMILY)
        await family.text("Mornings are best for us.")
        [to_a] = world.to(A, await world.deliver())
        assert "Mornings are best for us." in to_a.text

        # Taken off before the upgrade: still off.
        b = world.private(B)
        await b.command("queue")
        assert "only for the desk's coordinators" in b.said

        # The family in the middle of the form answers the question they were asked.
        midway = world.private(MIDWAY)
        await midway.text("3")
        assert "Which medical care does the child need?" in midway.said
        [draft] = await world.rows("SELECT answers FROM intake_drafts WHERE subject = ?",
                                   f"telegram:{MIDWAY}:{MIDWAY}")
        assert json.loads(draft["answers"])["residence"] == "chiyoda"

        # A new family's request goes through as before.
        newcomer = world.private(8181)
        await send_request(newcomer, name="Taro")
        assert "K-0003" in newcomer.said
    finally:
        await world.close()


async def test_answers_kept_before_the_upgrade_are_still_sent(tmp_path: Path) -> None:
    world = await _upgraded(tmp_path)
    try:
        inbound = Inbound(channel="telegram", user_id=tg(PARENT), chat_id=tg(PARENT),
                          kind="text", text="hello")
        outcome = await world.services.process(inbound, event="telegram:900")
        assert outcome is not None
        assert [(r.text, r.chat_id) for r in outcome.replies] == [("first", None),
                                                                  ("to the group", tg(GROUP))]
        await world.services.replies_sent("telegram:900")
        # Handled and answered before the upgrade: a redelivery changes nothing.
        assert await world.services.process(inbound, event="telegram:901") is None
    finally:
        await world.close()


async def test_a_migration_that_breaks_a_reference_is_not_committed(tmp_path: Path) -> None:
    """Foreign keys are off while tables are rebuilt; a broken reference still stops it."""
    async with aiosqlite.connect(tmp_path / "broken.db", isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        await migrate(conn, upto=OLD_VERSION)
        await conn.execute("PRAGMA foreign_keys = OFF")
        # A detail row whose ticket is missing: only possible with the checks off.
        await conn.execute("INSERT INTO consents (id, at, subject, decision, locale,"
                           " text_version, text_hash, use_for_request, share_with_departments,"
                           " age_information, writer, guardian_confirmed)"
                           " VALUES (1, 't', 's', 'granted', 'en', '1', 'h', 1, 0, 0,"
                           " 'guardian', 0)")
        await conn.execute("INSERT INTO ticket_details VALUES (99, 's', 'telegram', 1, 'en', 1,"
                           " 0, '{}')")
        await conn.execute("PRAGMA foreign_keys = ON")
        try:
            await migrate(conn)
        except RuntimeError as error:
            assert "ticket_details" in str(error)
        else:
            raise AssertionError("the migration committed a broken reference")
        assert await current_version(conn) == OLD_VERSION
        async with conn.execute("SELECT chat_id FROM ticket_details") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(1,)]  # untouched
        async with conn.execute("PRAGMA foreign_keys") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(1,)]
