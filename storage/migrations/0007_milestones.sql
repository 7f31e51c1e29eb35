-- Information for the child's age (milestones.yaml): what was sent to whom, and withdrawing
-- that one purpose of a consent without the rest.

-- On a withdrawal, the one purpose withdrawn ('age_information'); NULL withdraws the whole
-- consent, as every withdrawal before this did. Adding a column is not an UPDATE: the
-- append-only triggers stay as they are.
ALTER TABLE consents ADD COLUMN purpose TEXT CHECK (purpose IS NULL OR purpose IN ('age_information'));

-- Each milestone once per family: written in the same transaction as its outbox row.
-- Personal (the subject is an account), so it goes when the family withdraws.
CREATE TABLE milestones_sent (
    subject      TEXT NOT NULL,
    milestone_id TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (subject, milestone_id)
);
CREATE INDEX consents_age_information ON consents (age_information, subject);
