import asyncio
import contextlib
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.persistence import CurrentUserQuery
from domain.users import User
from infrastructure.persistence.tables import SessionRow, SidRow, UserRow
from infrastructure.persistence.user_rows import select_users, user_from_row

# Compiled once: building and cache-keying this SELECT per request cost ~1 ms of CPU,
# ten times the query itself.
_BY_SID = (
    select_users()
    .join(SessionRow, SessionRow.user_id == UserRow.id)
    .join(SidRow, SidRow.session_id == SessionRow.id)
    .where(
        SidRow.token_hash == bindparam("digest"),
        SidRow.expires_at > bindparam("now"),
        SessionRow.revoked_at.is_(None),
        SessionRow.expires_at > bindparam("now"),
    )
    .compile(dialect=PGDialect_asyncpg())
)


class SqlCurrentUserQuery(CurrentUserQuery):
    """/auth/me's one round trip: the prepared SELECT (sid, session, user, profile and
    providers joined) runs on the pooled asyncpg connection itself, outside any
    transaction, so no BEGIN/ROLLBACK travels with it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def user_by_sid(self, digest: bytes, now: datetime) -> User | None:
        values = {"digest": digest, "now": now}
        async with self._engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            try:
                row = await driver.fetchrow(_BY_SID.string, *(values[k] for k in _BY_SID.positiontup))
            except BaseException:
                # SQLAlchemy never saw this failure: a connection cut mid-query (the server
                # shutting down, a cancelled request) would go back to the pool half-way
                # through a protocol exchange and break the next request that takes it.
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.invalidate())
                raise
        return user_from_row(row) if row else None
