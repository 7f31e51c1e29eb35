-- The coordinators' desk: who holds a ticket, its group message, what was said on it,
-- reminders, and what the outbox worker needs to deliver each notification once.

-- The anonymous ticket row gains the desk's bookkeeping (nothing here identifies a family).
ALTER TABLE tickets ADD COLUMN claimed_at TEXT;
-- Since when the ticket waits for a coordinator (creation, a release or a reopening);
-- NULL means since created_at. Reminders count business hours from here.
ALTER TABLE tickets ADD COLUMN waiting_since TEXT;
-- The message in the coordinators' group that shows the ticket (several tickets share one
-- when they were announced in a digest).
ALTER TABLE tickets ADD COLUMN group_message_id INTEGER;
-- How it ended: resolved, referred, unreachable or other (a code, never free text).
ALTER TABLE tickets ADD COLUMN outcome TEXT;
ALTER TABLE tickets ADD COLUMN reopened_at TEXT;
ALTER TABLE tickets ADD COLUMN reminded_at TEXT;
ALTER TABLE tickets ADD COLUMN escalated_at TEXT;
-- Counts for the ward's reports; the words themselves live in ticket_entries.
ALTER TABLE tickets ADD COLUMN family_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN coordinator_messages INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_group_message ON tickets (group_message_id);
CREATE INDEX tickets_assignee ON tickets (assignee, status);

-- What was said on a ticket: the family's messages, the coordinators' replies and their
-- internal notes. Personal, so it goes with the ticket's details (withdrawal, retention).
CREATE TABLE ticket_entries (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES ticket_details (ticket_id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('family', 'coordinator', 'note')),
    author    INTEGER,                 -- the coordinator's user id; NULL for the family
    text      TEXT NOT NULL
);
CREATE INDEX ticket_entries_ticket ON ticket_entries (ticket_id, id);

-- A coordinator who has opened a private chat with the bot can be sent details there.
ALTER TABLE roster ADD COLUMN private_chat_at TEXT;

-- Outbox delivery: the Telegram message it became, notices combined into one digest
-- (sent again together after a failure, never split differently), and permanent failures
-- (Telegram refused the chat, the details were deleted meanwhile).
ALTER TABLE outbox ADD COLUMN message_id INTEGER;
ALTER TABLE outbox ADD COLUMN batch TEXT;
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
CREATE INDEX outbox_ticket ON outbox (ticket_id, kind);
