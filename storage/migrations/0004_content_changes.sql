-- Staff edits of the FAQ made in the chat, and which answers parents were given.

-- Every change staff made to an FAQ entry from the chat: who, when, what it was and what it
-- became. Append-only: an undo is a new row that names the change it reverts.
-- old_value and new_value are JSON objects of the entry's fields ({"answer": "..."}).
CREATE TABLE content_changes (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       INTEGER NOT NULL,          -- the staff member's Telegram user id
    entry_id    TEXT NOT NULL,
    locale      TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    field       TEXT NOT NULL,             -- answer, alternates, reviewed
    old_value   TEXT NOT NULL,             -- JSON
    new_value   TEXT NOT NULL,             -- JSON
    reverted_of INTEGER REFERENCES content_changes (id)
);
CREATE INDEX content_changes_entry ON content_changes (entry_id, id);

CREATE TRIGGER content_changes_no_update BEFORE UPDATE ON content_changes
BEGIN
    SELECT RAISE(ABORT, 'content changes are append-only');
END;

CREATE TRIGGER content_changes_no_delete BEFORE DELETE ON content_changes
BEGIN
    SELECT RAISE(ABORT, 'content changes are append-only');
END;

-- Which FAQ answer was shown, for the council report's most asked topics. Counts only:
-- no user, chat or message text.
CREATE TABLE faq_views (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    locale TEXT NOT NULL,
    topic  TEXT NOT NULL,
    how    TEXT NOT NULL CHECK (how IN ('text', 'button'))
);
CREATE INDEX faq_views_at ON faq_views (at);
