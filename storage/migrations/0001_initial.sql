-- Conversation state, one row per person and chat, saved with every step.
CREATE TABLE sessions (
    key        TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    locale     TEXT,
    data       TEXT NOT NULL,             -- JSON
    updated_at TEXT NOT NULL
);

-- Telegram may deliver an update twice (after a restart, a timeout); each is handled once.
CREATE TABLE processed_updates (
    update_id  INTEGER PRIMARY KEY,
    handled_at TEXT NOT NULL
);

-- Messages the bot refused or was unsure about. Deliberately no user or chat id.
CREATE TABLE unanswered (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    locale      TEXT NOT NULL,
    text        TEXT NOT NULL,
    mode        TEXT NOT NULL,
    best_topic  TEXT,
    confidence  REAL NOT NULL
);
CREATE INDEX unanswered_at ON unanswered (at);

-- Who did what to which record, append-only.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT
);
