import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import LargeBinary, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from application.ports.persistence import CurrentUserQuery
from domain.users import User
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.tables import SessionRow, SidRow, UserRow
from infrastructure.persistence.user_rows import select_users, user_from_row

# Compiled once: building and cache-keying this SELECT per request cost ~1 ms of CPU,
# ten times the query itself. The sid is matched against its digest under every key
# (SECRET_KEY_FALLBACKS) in this one statement: `= ANY` of an array is still an index scan,
# and a rotation costs no second round trip.
_BY_SID = (
    select_users()
    .join(SessionRow, SessionRow.user_id == UserRow.id)
    .join(SidRow, SidRow.session_id == SessionRow.id)
    .where(
        SidRow.token_hash == any_(bindparam("digests", type_=ARRAY(LargeBinary))),
        SidRow.expires_at > bindparam("now"),
        SessionRow.revoked_at.is_(None),
        SessionRow.expires_at > bindparam("now"),
    )
    .compile(dialect=PGDialect_asyncpg())
)


class SqlCurrentUserQuery(CurrentUserQuery):
    """/auth/me's one round trip: the prepared SELECT (sid, session, user, profile and
    providers joined) runs on a pooled asyncpg connection, outside any transaction, so no
    BEGIN/ROLLBACK travels with it."""

    def __init__(self, pool: DriverPool) -> None:
        self._pool = pool

    async def user_by_sid(self, digests: Sequence[bytes], now: datetime) -> User | None:
        values = {"digests": list(digests), "now": now}
        row = await self._pool.fetchrow(_BY_SID.string, *(values[k] for k in _BY_SID.positiontup))
        return user_from_row(row) if row else None
