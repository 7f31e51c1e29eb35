"""The SQLite file: one aiosqlite connection, WAL, numbered migrations, small repositories.

A step of a conversation runs inside :meth:`storage.database.Database.transaction`,
so its saved state and whatever it produced are committed together or not at all.
"""
