-- Who may act as a coordinator or as ward staff. Staff edit it; the environment can seed it.
CREATE TABLE roster (
    user_id        INTEGER PRIMARY KEY,    -- Telegram user id
    display_name   TEXT NOT NULL DEFAULT '',
    office         TEXT,                   -- an office id from offices.yaml
    is_coordinator INTEGER NOT NULL DEFAULT 0 CHECK (is_coordinator IN (0, 1)),
    is_staff       INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
    is_supervisor  INTEGER NOT NULL DEFAULT 0 CHECK (is_supervisor IN (0, 1)),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at     TEXT NOT NULL
);
