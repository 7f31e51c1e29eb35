-- Requests to coordinators: consent decisions, unfinished drafts, tickets and the outbox.

-- Every consent decision, append-only: a withdrawal is a new row, never an edit.
-- subject is the session key of the person who decided.
CREATE TABLE consents (
    id                     INTEGER PRIMARY KEY,
    at                     TEXT NOT NULL,
    subject                TEXT NOT NULL,
    decision               TEXT NOT NULL CHECK (decision IN ('granted', 'declined', 'withdrawn')),
    locale                 TEXT NOT NULL,
    text_version           TEXT NOT NULL,
    text_hash              TEXT NOT NULL,
    use_for_request        INTEGER NOT NULL CHECK (use_for_request IN (0, 1)),
    share_with_departments INTEGER NOT NULL CHECK (share_with_departments IN (0, 1)),
    age_information        INTEGER NOT NULL CHECK (age_information IN (0, 1)),
    writer                 TEXT NOT NULL,
    guardian_confirmed     INTEGER NOT NULL CHECK (guardian_confirmed IN (0, 1))
);
CREATE INDEX consents_subject ON consents (subject, id);

CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents are append-only');
END;

CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents are append-only');
END;

-- Unfinished requests, one per person; deleted when sent, cancelled, withdrawn or expired.
CREATE TABLE intake_drafts (
    subject     TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    locale      TEXT NOT NULL,
    consent_id  INTEGER NOT NULL REFERENCES consents (id),
    answers     TEXT NOT NULL,             -- JSON
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    reminded_at TEXT
);
CREATE INDEX intake_drafts_updated ON intake_drafts (updated_at);

-- Reference numbers (K-0042) are drawn here, so none is given out twice.
CREATE TABLE ticket_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO ticket_numbers (id, last) VALUES (1, 0);

-- The anonymous part of a request. It stays when the personal details are deleted, so the
-- ward can still count requests; nothing here identifies a family.
CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    number             INTEGER NOT NULL UNIQUE,
    reference          TEXT NOT NULL UNIQUE,
    created_at         TEXT NOT NULL,
    status             TEXT NOT NULL,
    office             TEXT NOT NULL,
    priority           TEXT NOT NULL CHECK (priority IN ('high', 'normal')),
    assignee           INTEGER,            -- the coordinator holding it (Telegram user id)
    closed_at          TEXT,
    withdrawn_at       TEXT,
    details_deleted_at TEXT
);
CREATE INDEX tickets_status ON tickets (status, closed_at);

-- The personal part of a request: deleted on withdrawal, or once closed for the retention
-- period.
CREATE TABLE ticket_details (
    ticket_id              INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    subject                TEXT NOT NULL,
    channel                TEXT NOT NULL,
    chat_id                INTEGER NOT NULL,
    locale                 TEXT NOT NULL,
    consent_id             INTEGER NOT NULL REFERENCES consents (id),
    share_with_departments INTEGER NOT NULL CHECK (share_with_departments IN (0, 1)),
    answers                TEXT NOT NULL   -- JSON
);
CREATE INDEX ticket_details_subject ON ticket_details (subject);

-- Notifications for the coordinators, written in the same transaction as what they announce
-- and sent later by a worker. Payloads carry references, never a family's details.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets (id),
    office          TEXT,
    recipient       INTEGER,               -- a coordinator's user id; NULL: the office
    payload         TEXT NOT NULL,         -- JSON
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
