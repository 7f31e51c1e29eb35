from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from flows.address import Address
from flows.records import RosterMember

# Named as RosterMember's fields, so a row is a member as it stands.
_COLUMNS = (
    "user_id, display_name, office, is_coordinator AS coordinator, is_staff AS staff,"
    " is_supervisor AS supervisor, is_partner AS partner, department,"
    " private_chat_at IS NOT NULL AS private_chat"
)


def _member(row: aiosqlite.Row) -> RosterMember:
    return RosterMember.model_validate(dict(row))


@dataclass
class SeedResult:
    """What seeding from the environment did; ids only, for the audit log."""

    added: list[Address] = field(default_factory=list)
    # On the roster without a role the environment names: kept as staff set them.
    other_roles: int = 0
    # Taken off the roster by staff: they stay off until staff add them back.
    left_off: int = 0


def _lacks_a_role_of(current: RosterMember, seeded: RosterMember) -> bool:
    return ((seeded.coordinator and not current.coordinator)
            or (seeded.staff and not current.staff)
            or (seeded.partner and not current.partner))


class RosterRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: Address) -> RosterMember | None:
        """The active member with this address, or None for anyone else."""
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
                                   is_supervisor, is_partner, department, active, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                   display_name = excluded.display_name, office = excluded.office,
                   is_coordinator = excluded.is_coordinator, is_staff = excluded.is_staff,
                   is_supervisor = excluded.is_supervisor, is_partner = excluded.is_partner,
                   department = excluded.department, active = 1,
                   updated_at = excluded.updated_at""",
            (member.user_id, member.display_name, member.office, int(member.coordinator),
             int(member.staff), int(member.supervisor), int(member.partner),
             member.department, at.isoformat()),
        )

    async def seed(self, members: list[RosterMember], at: datetime) -> SeedResult:
        """Add the people named in the environment whom the roster has never had.

        Anyone with a row already, active or taken off by staff, is left exactly as staff
        keep them: the environment is read at every start, so letting it re-activate or
        re-grant a role would undo ``/roster remove`` (or a changed role) with each restart.
        """
        result = SeedResult()
        for member in members:
            async with self._conn.execute(
                f"SELECT {_COLUMNS}, active FROM roster WHERE user_id = ?", (member.user_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                await self.put(member, at)
                result.added.append(member.user_id)
            elif not row["active"]:
                result.left_off += 1
            elif _lacks_a_role_of(_member(row), member):
                result.other_roles += 1
        return result

    async def note_private_chat(self, user_id: Address, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE roster SET private_chat_at = ? WHERE user_id = ? AND private_chat_at IS NULL",
            (at.isoformat(), user_id),
        )

    async def deactivate(self, user_id: Address, at: datetime) -> bool:
        """Off the roster; the row stays so the audit log's addresses still have a name."""
        cur = await self._conn.execute(
            "UPDATE roster SET active = 0, updated_at = ? WHERE user_id = ? AND active = 1",
            (at.isoformat(), user_id),
        )
        return cur.rowcount == 1
