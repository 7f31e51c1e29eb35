-- Channel-neutral addresses (flows/address.py): every column that names a person or a chat
-- holds text such as 'telegram:123456', 'telegram:-1001234' or 'line:U4af49806…' instead
-- of a Telegram number, so a family on LINE fits the same tables. Until now every id was
-- Telegram's except where a row says it came from the console (the channel column of drafts
-- and ticket details), so that is what the old numbers become. NULL stays NULL ('x' || NULL
-- is NULL).
--
-- SQLite cannot change a column's type: each table is rebuilt (new table, copy, drop, rename,
-- indexes and triggers again). storage/migrate.py runs this with foreign keys off, as SQLite
-- asks for such a rebuild, and checks every reference before committing.
--
-- Session keys keep their form (channel:chat:person, flows/model.py), so conversations in
-- progress and the consents, drafts and tickets named by them need no change.

-- Handled events: keyed by the channel's event id as text ('telegram:<update_id>'; LINE's
-- webhookEventId as 'line:<id>'). Kept answers carry the chat of each reply.
CREATE TABLE processed_updates_new (
    update_id  TEXT PRIMARY KEY,
    handled_at TEXT NOT NULL,
    replies    TEXT
);
INSERT INTO processed_updates_new (update_id, handled_at, replies)
SELECT 'telegram:' || update_id, handled_at,
       CASE WHEN replies IS NULL OR json_type(replies, '$.replies') IS NOT 'array' THEN replies
       ELSE json_set(replies, '$.replies', (
           SELECT json_group_array(json(
               CASE WHEN json_type(r.value, '$.chat_id') = 'integer'
                    THEN json_set(r.value, '$.chat_id',
                                  'telegram:' || json_extract(r.value, '$.chat_id'))
                    ELSE r.value END))
           FROM json_each(replies, '$.replies') AS r))
       END
FROM processed_updates;
DROP TABLE processed_updates;
ALTER TABLE processed_updates_new RENAME TO processed_updates;

-- Who acted: staff and coordinators were written as their Telegram number; words such as
-- 'family' or 'environment' stay. A roster change names its person as the subject.
UPDATE audit SET actor = 'telegram:' || actor
WHERE actor <> '' AND ltrim(actor, '-') <> '' AND ltrim(actor, '-0123456789') = '';
UPDATE audit SET subject = 'telegram:' || subject
WHERE action LIKE 'roster.%' AND subject IS NOT NULL AND subject <> ''
  AND ltrim(subject, '-') <> '' AND ltrim(subject, '-0123456789') = '';

CREATE TABLE intake_drafts_new (
    subject     TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    locale      TEXT NOT NULL,
    consent_id  INTEGER NOT NULL REFERENCES consents (id),
    answers     TEXT NOT NULL,             -- JSON
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    reminded_at TEXT
);
INSERT INTO intake_drafts_new (subject, channel, chat_id, locale, consent_id, answers,
                               created_at, updated_at, reminded_at)
SELECT subject, channel, channel || ':' || chat_id, locale, consent_id, answers,
       created_at, updated_at, reminded_at
FROM intake_drafts;
DROP TABLE intake_drafts;
ALTER TABLE intake_drafts_new RENAME TO intake_drafts;
CREATE INDEX intake_drafts_updated ON intake_drafts (updated_at);

CREATE TABLE tickets_new (
    id                   INTEGER PRIMARY KEY,
    number               INTEGER NOT NULL UNIQUE,
    reference            TEXT NOT NULL UNIQUE,
    created_at           TEXT NOT NULL,
    status               TEXT NOT NULL,
    office               TEXT NOT NULL,
    priority             TEXT NOT NULL CHECK (priority IN ('high', 'normal')),
    assignee             TEXT,             -- the coordinator holding it (an address)
    closed_at            TEXT,
    withdrawn_at         TEXT,
    details_deleted_at   TEXT,
    claimed_at           TEXT,
    waiting_since        TEXT,
    group_message_id     INTEGER,
    outcome              TEXT,
    reopened_at          TEXT,
    reminded_at          TEXT,
    escalated_at         TEXT,
    family_messages      INTEGER NOT NULL DEFAULT 0,
    coordinator_messages INTEGER NOT NULL DEFAULT 0,
    referred_by          TEXT
);
INSERT INTO tickets_new (id, number, reference, created_at, status, office, priority, assignee,
                         closed_at, withdrawn_at, details_deleted_at, claimed_at, waiting_since,
                         group_message_id, outcome, reopened_at, reminded_at, escalated_at,
                         family_messages, coordinator_messages, referred_by)
SELECT id, number, reference, created_at, status, office, priority, 'telegram:' || assignee,
       closed_at, withdrawn_at, details_deleted_at, claimed_at, waiting_since,
       group_message_id, outcome, reopened_at, reminded_at, escalated_at,
       family_messages, coordinator_messages, referred_by
FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_new RENAME TO tickets;
CREATE INDEX tickets_status ON tickets (status, closed_at);
CREATE INDEX tickets_group_message ON tickets (group_message_id);
CREATE INDEX tickets_assignee ON tickets (assignee, status);

CREATE TABLE ticket_details_new (
    ticket_id              INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    subject                TEXT NOT NULL,
    channel                TEXT NOT NULL,
    chat_id                TEXT NOT NULL,
    locale                 TEXT NOT NULL,
    consent_id             INTEGER NOT NULL REFERENCES consents (id),
    share_with_departments INTEGER NOT NULL CHECK (share_with_departments IN (0, 1)),
    answers                TEXT NOT NULL   -- JSON
);
INSERT INTO ticket_details_new (ticket_id, subject, channel, chat_id, locale, consent_id,
                                share_with_departments, answers)
SELECT ticket_id, subject, channel, channel || ':' || chat_id, locale, consent_id,
       share_with_departments, answers
FROM ticket_details;
DROP TABLE ticket_details;
ALTER TABLE ticket_details_new RENAME TO ticket_details;
CREATE INDEX ticket_details_subject ON ticket_details (subject);

-- The coordinators named in a payload ('by' who shared, 'user' who should open a chat) too.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets (id),
    office          TEXT,
    recipient       TEXT,                  -- a person's address; NULL: the office
    payload         TEXT NOT NULL,         -- JSON
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    sent_at         TEXT,
    last_error      TEXT,
    message_id      INTEGER,
    batch           TEXT,
    failed_at       TEXT
);
INSERT INTO outbox_new (id, created_at, kind, ticket_id, office, recipient, payload, attempts,
                        next_attempt_at, sent_at, last_error, message_id, batch, failed_at)
SELECT id, created_at, kind, ticket_id, office, 'telegram:' || recipient,
       CASE WHEN json_type(payload, '$.by') = 'integer'
            THEN json_set(payload, '$.by', 'telegram:' || json_extract(payload, '$.by'))
            ELSE payload END,
       attempts, next_attempt_at, sent_at, last_error, message_id, batch, failed_at
FROM outbox;
UPDATE outbox_new SET payload = json_set(payload, '$.user',
                                         'telegram:' || json_extract(payload, '$.user'))
WHERE json_type(payload, '$.user') = 'integer';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_ticket ON outbox (ticket_id, kind);

CREATE TABLE roster_new (
    user_id         TEXT PRIMARY KEY,      -- the person's address
    display_name    TEXT NOT NULL DEFAULT '',
    office          TEXT,                  -- an office id from offices.yaml
    is_coordinator  INTEGER NOT NULL DEFAULT 0 CHECK (is_coordinator IN (0, 1)),
    is_staff        INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
    is_supervisor   INTEGER NOT NULL DEFAULT 0 CHECK (is_supervisor IN (0, 1)),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at      TEXT NOT NULL,
    private_chat_at TEXT,
    is_partner      INTEGER NOT NULL DEFAULT 0 CHECK (is_partner IN (0, 1)),
    department      TEXT
);
INSERT INTO roster_new (user_id, display_name, office, is_coordinator, is_staff, is_supervisor,
                        active, updated_at, private_chat_at, is_partner, department)
SELECT 'telegram:' || user_id, display_name, office, is_coordinator, is_staff, is_supervisor,
       active, updated_at, private_chat_at, is_partner, department
FROM roster ORDER BY user_id;
DROP TABLE roster;
ALTER TABLE roster_new RENAME TO roster;

CREATE TABLE content_changes_new (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,             -- the staff member's address
    entry_id    TEXT NOT NULL,
    locale      TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    field       TEXT NOT NULL,             -- answer, alternates, reviewed
    old_value   TEXT NOT NULL,             -- JSON
    new_value   TEXT NOT NULL,             -- JSON
    reverted_of INTEGER REFERENCES content_changes (id)
);
INSERT INTO content_changes_new (id, at, actor, entry_id, locale, field, old_value, new_value,
                                 reverted_of)
SELECT id, at, 'telegram:' || actor, entry_id, locale, field, old_value, new_value, reverted_of
FROM content_changes;
DROP TABLE content_changes;
ALTER TABLE content_changes_new RENAME TO content_changes;
CREATE INDEX content_changes_entry ON content_changes (entry_id, id);

CREATE TRIGGER content_changes_no_update BEFORE UPDATE ON content_changes
BEGIN
    SELECT RAISE(ABORT, 'content changes are append-only');
END;

CREATE TRIGGER content_changes_no_delete BEFORE DELETE ON content_changes
BEGIN
    SELECT RAISE(ABORT, 'content changes are append-only');
END;

CREATE TABLE ticket_entries_new (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES ticket_details (ticket_id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('family', 'coordinator', 'note')),
    author    TEXT,                    -- the coordinator's address; NULL for the family
    text      TEXT NOT NULL
);
INSERT INTO ticket_entries_new (id, ticket_id, at, kind, author, text)
SELECT id, ticket_id, at, kind, 'telegram:' || author, text FROM ticket_entries;
DROP TABLE ticket_entries;
ALTER TABLE ticket_entries_new RENAME TO ticket_entries;
CREATE INDEX ticket_entries_ticket ON ticket_entries (ticket_id, id);

CREATE TABLE ticket_needs_new (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,            -- an id from content/data/needs.yaml
    status      TEXT NOT NULL
                CHECK (status IN ('open', 'in_progress', 'resolved', 'beyond_ward')),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,            -- the coordinator's address
    updated_at  TEXT NOT NULL,
    UNIQUE (ticket_id, code)
);
INSERT INTO ticket_needs_new (id, ticket_id, code, status, recorded_at, recorded_by, updated_at)
SELECT id, ticket_id, code, status, recorded_at, 'telegram:' || recorded_by, updated_at
FROM ticket_needs;
DROP TABLE ticket_needs;
ALTER TABLE ticket_needs_new RENAME TO ticket_needs;

CREATE TABLE ticket_need_changes_new (
    id      INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES ticket_needs (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    status  TEXT NOT NULL,
    actor   TEXT NOT NULL
);
INSERT INTO ticket_need_changes_new (id, need_id, at, status, actor)
SELECT id, need_id, at, status, 'telegram:' || actor FROM ticket_need_changes;
DROP TABLE ticket_need_changes;
ALTER TABLE ticket_need_changes_new RENAME TO ticket_need_changes;
CREATE INDEX ticket_need_changes_need ON ticket_need_changes (need_id, id);

CREATE TABLE shares_new (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    department TEXT NOT NULL,
    actor      TEXT NOT NULL,              -- the coordinator's address
    consent_id INTEGER NOT NULL REFERENCES consents (id),
    recipients INTEGER NOT NULL
);
INSERT INTO shares_new (id, at, ticket_id, department, actor, consent_id, recipients)
SELECT id, at, ticket_id, department, 'telegram:' || actor, consent_id, recipients FROM shares;
DROP TABLE shares;
ALTER TABLE shares_new RENAME TO shares;
CREATE INDEX shares_ticket ON shares (ticket_id, id);
