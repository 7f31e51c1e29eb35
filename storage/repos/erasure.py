"""Whether a transaction deleted a family's details, so the deletion can be made real on disk."""

from __future__ import annotations


class Erasure:
    """Noted by the repositories that withdraw consent or delete a family's details.

    Under WAL, SQLite writes every changed page to the -wal file and copies it into the
    database file only at a checkpoint, so the pages from before a deletion stay readable
    there until then (which, with the default auto-checkpoint, may be long). The database
    checkpoints right after committing a transaction that noted an erasure
    (storage/database.py).
    """

    def __init__(self) -> None:
        self.noted = False

    def note(self) -> None:
        self.noted = True
