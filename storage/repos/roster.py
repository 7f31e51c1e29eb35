from __future__ import annotations

from datetime import datetime

import aiosqlite

from flows.ports import RosterMember

_COLUMNS = (
    "user_id, display_name, office, is_coordinator, is_staff, is_supervisor, private_chat_at"
)


def _member(row: aiosqlite.Row) -> RosterMember:
    return RosterMember(
        user_id=row["user_id"],
        display_name=row["display_name"],
        office=row["office"],
        coordinator=bool(row["is_coordinator"]),
        staff=bool(row["is_staff"]),
        supervisor=bool(row["is_supervisor"]),
        private_chat=row["private_chat_at"] is not None,
    )


class RosterRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> RosterMember | None:
        """The active member with this Telegram user id, or None for anyone else."""
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM roster WHERE user_id = ? AND active = 1", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return _member(row) if row else None

    async def members(self) -> list[RosterMember]:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM roster WHERE active = 1 ORDER BY user_id"
        ) as cur:
            return [_member(row) for row in await cur.fetchall()]

    async def put(self, member: RosterMember, at: datetime) -> None:
        await self._conn.execute(
            """INSERT INTO roster (user_id, display_name, office, is_coordinator, is_staff,
                                   is_supervisor, active, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, 1, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                   display_name = excluded.display_name, office = excluded.office,
                   is_coordinator = excluded.is_coordinator, is_staff = excluded.is_staff,
                   is_supervisor = excluded.is_supervisor, active = 1,
                   updated_at = excluded.updated_at""",
            (member.user_id, member.display_name, member.office, int(member.coordinator),
             int(member.staff), int(member.supervisor), at.isoformat()),
        )

    async def seed(self, members: list[RosterMember], at: datetime) -> None:
        """Add the members named in the environment, keeping what staff edited since.

        A seeded person gains the seeded role; nothing else of theirs is overwritten, and
        nobody is removed, so the database stays the place where the roster is kept.
        """
        for member in members:
            current = await self.get(member.user_id)
            if current is None:
                await self.put(member, at)
                continue
            merged = current.model_copy(
                update={
                    "coordinator": current.coordinator or member.coordinator,
                    "staff": current.staff or member.staff,
                    "office": current.office or member.office,
                }
            )
            if merged != current:
                await self.put(merged, at)

    async def note_private_chat(self, user_id: int, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE roster SET private_chat_at = ? WHERE user_id = ? AND private_chat_at IS NULL",
            (at.isoformat(), user_id),
        )

    async def deactivate(self, user_id: int, at: datetime) -> bool:
        """Off the roster; the row stays so the audit log's user ids still have a name."""
        cur = await self._conn.execute(
            "UPDATE roster SET active = 0, updated_at = ? WHERE user_id = ? AND active = 1",
            (at.isoformat(), user_id),
        )
        return cur.rowcount == 1
