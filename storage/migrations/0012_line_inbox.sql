-- LINE's webhook events, kept before LINE is answered (bot/line/inbox.py) and handled from
-- here in the order they arrived, so a crash loses none and a redelivery (the same
-- webhookEventId) is kept once. ``raw`` is the event's JSON: it holds what a family wrote,
-- so it is emptied as soon as the event is handled and answered; the id stays for a week so
-- that a late redelivery is still recognised. The step itself is claimed, and its answers
-- kept until sent, in processed_updates under ``line:<webhookEventId>``, in the step's own
-- transaction, as for Telegram's updates.
CREATE TABLE line_inbox (
    seq          INTEGER PRIMARY KEY,      -- order of arrival
    event_id     TEXT NOT NULL UNIQUE,     -- LINE's webhookEventId
    received_at  TEXT NOT NULL,            -- UTC; says whether the reply token is still fresh
    raw          TEXT,                     -- JSON of the event; NULL once handled
    handled_at   TEXT
);
CREATE INDEX line_inbox_unhandled ON line_inbox (seq) WHERE handled_at IS NULL;
CREATE INDEX line_inbox_received ON line_inbox (received_at);

-- Families who unfollowed (blocked) the LINE account: nothing is pushed to them until they
-- follow again. Only the id and when; the row goes when they come back.
CREATE TABLE line_unfollowed (
    user_id TEXT PRIMARY KEY,              -- LINE's U… id
    at      TEXT NOT NULL
) WITHOUT ROWID;
