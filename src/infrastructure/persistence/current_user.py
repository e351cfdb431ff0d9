from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.persistence import CurrentUserQuery
from domain.users import User
from infrastructure.persistence.tables import SessionRow, SidRow, UserRow
from infrastructure.persistence.user_rows import select_users, user_from_row


class SqlCurrentUserQuery(CurrentUserQuery):
    """/auth/me's one round trip: an autocommit connection sends no BEGIN/ROLLBACK,
    just the (prepared) SELECT joining sid, session, user, profile and providers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def user_by_sid(self, digest: bytes, now: datetime) -> User | None:
        statement = (
            select_users()
            .join(SessionRow, SessionRow.user_id == UserRow.id)
            .join(SidRow, SidRow.session_id == SessionRow.id)
            .where(
                SidRow.token_hash == digest,
                SidRow.expires_at > now,
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
            )
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).one_or_none()
        return user_from_row(row) if row else None
