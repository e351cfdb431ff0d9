"""Sessions, their sids and refresh tokens in PostgreSQL, on the unit of work's session."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import SessionRepository
from domain.sessions import RefreshClaim, Session
from infrastructure.persistence.owner_lock import hold_owner
from infrastructure.persistence.tables import RefreshTokenRow, SessionRow, SidRow


class SqlSessionRepository(SessionRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: Session) -> None:
        await self._session.execute(
            insert(SessionRow).values(
                id=session.id,
                user_id=session.user_id,
                created_at=session.created_at,
                expires_at=session.expires_at,
                last_seen_at=session.last_seen_at,
                ip=session.ip,
                user_agent=session.user_agent,
                signed_in_at=session.signed_in_at,
            )
        )

    async def add_sid(self, session_id: UUID, digest: bytes, expires_at: datetime) -> None:
        await self._session.execute(
            insert(SidRow).values(token_hash=digest, session_id=session_id, expires_at=expires_at)
        )

    async def add_refresh_token(
        self, session_id: UUID, digest: bytes, generation: int, now: datetime
    ) -> None:
        await self._session.execute(
            insert(RefreshTokenRow).values(
                token_hash=digest, session_id=session_id, generation=generation, created_at=now
            )
        )

    async def claim_refresh_token(self, digests: Sequence[bytes], now: datetime) -> RefreshClaim | None:
        # The conditional UPDATE is the gate: a concurrent claim blocks on the row lock,
        # then finds rotated_at set. Never read-then-write.
        token = RefreshTokenRow
        await hold_owner(self._session, select(SessionRow.user_id).join(token, token.session_id == SessionRow.id)
                         .where(token.token_hash.in_(list(digests))))
        claimed = await self._session.execute(
            update(token)
            .where(token.token_hash.in_(list(digests)), token.rotated_at.is_(None))
            .values(rotated_at=now)
            .returning(token.session_id, token.generation)
            .execution_options(synchronize_session=False)
        )
        row, rotated_at = claimed.one_or_none(), None
        if row is None:
            found = await self._session.execute(
                select(token.session_id, token.generation, token.rotated_at).where(
                    token.token_hash.in_(list(digests))
                )
            )
            row = found.one_or_none()
            if row is None:
                return None
            rotated_at = row.rotated_at
        head = (
            select(func.max(token.generation))
            .where(token.session_id == SessionRow.id)
            .scalar_subquery()
        )
        session_row, head_generation = (
            await self._session.execute(
                select(SessionRow, head).where(SessionRow.id == row.session_id)
            )
        ).one()
        return RefreshClaim(_session_from_row(session_row), row.generation, head_generation, rotated_at)

    async def touch(self, session_id: UUID, now: datetime) -> None:
        await self._session.execute(
            update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now)
        )

    async def clients_seen(self, user_id: UUID, limit: int) -> list[tuple[str | None, str | None]]:
        rows = await self._session.execute(
            select(SessionRow.ip, SessionRow.user_agent).where(SessionRow.user_id == user_id)
            .order_by(SessionRow.created_at.desc()).limit(limit)
        )
        return [(ip, agent) for ip, agent in rows]

    async def session_id_by_sid(self, digests: Sequence[bytes]) -> UUID | None:
        return await self._session.scalar(
            select(SidRow.session_id).where(SidRow.token_hash.in_(list(digests))).limit(1)
        )

    async def session_id_by_refresh_token(self, digests: Sequence[bytes]) -> UUID | None:
        return await self._session.scalar(
            select(RefreshTokenRow.session_id).where(RefreshTokenRow.token_hash.in_(list(digests))).limit(1)
        )

    async def revoke(self, session_id: UUID, now: datetime, reason: str) -> UUID | None:
        await hold_owner(self._session, select(SessionRow.user_id).where(SessionRow.id == session_id))
        return await self._session.scalar(
            update(SessionRow)
            .where(SessionRow.id == session_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .returning(SessionRow.user_id)
        )

    async def live_for_user(self, user_id: UUID, now: datetime) -> list[Session]:
        rows = await self._session.scalars(
            select(SessionRow)
            .where(
                SessionRow.user_id == user_id,
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
            )
            .order_by(SessionRow.created_at.desc(), SessionRow.id.desc())
        )
        return [_session_from_row(row) for row in rows]

    async def for_user(self, user_id: UUID) -> list[Session]:
        rows = await self._session.scalars(
            select(SessionRow)
            .where(SessionRow.user_id == user_id)
            .order_by(SessionRow.created_at.desc(), SessionRow.id.desc())
        )
        return [_session_from_row(row) for row in rows]

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, reason: str, keep: UUID | None = None
    ) -> int:
        await hold_owner(self._session, user_id)
        condition = SessionRow.user_id == user_id
        if keep is not None:
            condition = condition & (SessionRow.id != keep)
        return await self._revoke(condition, now, reason)

    async def by_id(self, session_id: UUID) -> Session | None:
        row = await self._session.scalar(
            select(SessionRow).where(SessionRow.id == session_id).execution_options(populate_existing=True)
        )
        return _session_from_row(row) if row is not None else None

    async def mark_signed_in(self, session_id: UUID, now: datetime) -> None:
        await hold_owner(self._session, select(SessionRow.user_id).where(SessionRow.id == session_id))
        await self._session.execute(
            update(SessionRow).where(SessionRow.id == session_id).values(signed_in_at=now)
        )

    async def _revoke(self, condition, now: datetime, reason: str) -> int:
        result = await self._session.execute(
            update(SessionRow)
            .where(condition, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
        return result.rowcount


def _session_from_row(row: SessionRow) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
        revoked_at=row.revoked_at,
        ip=row.ip,
        user_agent=row.user_agent,
        signed_in_at=row.signed_in_at,
    )
