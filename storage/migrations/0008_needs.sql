-- Needs and problems found while supporting a family (ニーズ・課題), for the support council.
-- The code and its status are anonymous and stay when the family withdraws, so the council
-- still counts them; the coordinator's internal note is personal and goes with the details.

CREATE TABLE ticket_needs (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,            -- an id from content/data/needs.yaml
    status      TEXT NOT NULL
                CHECK (status IN ('open', 'in_progress', 'resolved', 'beyond_ward')),
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,         -- the coordinator's user id
    updated_at  TEXT NOT NULL,
    UNIQUE (ticket_id, code)
);

-- Every status a need was given, by whom and when (the first row is its recording).
CREATE TABLE ticket_need_changes (
    id      INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES ticket_needs (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    status  TEXT NOT NULL,
    actor   INTEGER NOT NULL
);
CREATE INDEX ticket_need_changes_need ON ticket_need_changes (need_id, id);

-- The internal note: only for coordinators, never shown to the family nor in a report.
-- Deleted with the ticket's details (withdrawal, retention).
CREATE TABLE ticket_need_notes (
    need_id   INTEGER PRIMARY KEY REFERENCES ticket_needs (id) ON DELETE CASCADE,
    ticket_id INTEGER NOT NULL REFERENCES ticket_details (ticket_id) ON DELETE CASCADE,
    text      TEXT NOT NULL
);
