-- Which flyer brought families to the desk (flows/arrivals.py): how many first contacts came
-- through each source of sources.yaml on each day (Tokyo). Counts only: no user, chat or time
-- of day, so no row can be tied to a family.
CREATE TABLE arrivals (
    day      TEXT NOT NULL,            -- YYYY-MM-DD, Tokyo
    source   TEXT NOT NULL,            -- an id of sources.yaml
    families INTEGER NOT NULL CHECK (families > 0),
    PRIMARY KEY (day, source)
) WITHOUT ROWID;
