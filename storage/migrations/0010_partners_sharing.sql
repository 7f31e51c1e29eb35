-- Partners in related departments (the health center's public-health nurses, the disability
-- welfare division, the child development center...), what the coordinators share with them
-- under the family's consent, and where a request came from when a partner passed it on.

-- A partner is on the roster like a coordinator, with the department they work in (an id
-- from intake.yaml's departments). Existing members are neither: today's rows keep their
-- roles as they are.
ALTER TABLE roster ADD COLUMN is_partner INTEGER NOT NULL DEFAULT 0 CHECK (is_partner IN (0, 1));
ALTER TABLE roster ADD COLUMN department TEXT;

-- The department of the partner who passed the family on (NULL: the family or another
-- professional wrote). A department id, nothing about the family, so it stays with the
-- anonymous row and the ward can count referrals.
ALTER TABLE tickets ADD COLUMN referred_by TEXT;

-- Every time a request's summary was shared with a department: who shared it, when, with
-- which department and how many partners it went to. Kept as the record of a disclosure,
-- also once the details are gone; it holds no words of the family.
CREATE TABLE shares (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    department TEXT NOT NULL,
    actor      INTEGER NOT NULL,           -- the coordinator's Telegram user id
    consent_id INTEGER NOT NULL REFERENCES consents (id),
    recipients INTEGER NOT NULL
);
CREATE INDEX shares_ticket ON shares (ticket_id, id);
