"""Postgres implementations of the repositories, on one AsyncSession per unit of work."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import SessionRepository, UserRepository
from domain.errors import EmailTaken, PhoneTaken, UsernameTaken
from domain.profile import ACCOUNT_FIELDS, PROFILE_FIELDS, ProfileChanges
from domain.sessions import RefreshClaim, Session
from domain.users import User
from infrastructure.persistence.tables import (
    ProfileRow,
    RefreshTokenRow,
    SessionRow,
    SidRow,
    UserRow,
)
from infrastructure.persistence.user_rows import select_users, user_from_row

_UNIQUE_ERRORS = {
    "uq_users_email": EmailTaken,
    "uq_users_username_lower": UsernameTaken,
    "uq_users_phone_verified": PhoneTaken,
}


def translate_unique_violation(exc: IntegrityError, errors: dict[str, type[Exception]]) -> None:
    """Raise the domain error for a known unique constraint; the database is the
    arbiter, so two concurrent registrations cannot both win."""
    constraint = getattr(exc.orig.__cause__, "constraint_name", None)
    if constraint in errors:
        raise errors[constraint]() from exc


class SqlUserRepository(UserRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        profile = user.profile
        try:
            await self._session.execute(
                insert(UserRow).values(
                    id=user.id,
                    email=user.email,
                    email_verified_at=user.email_verified_at,
                    username=user.username,
                    phone_number=user.phone_number,
                    phone_verified_at=user.phone_verified_at,
                    phone_changed_at=user.phone_changed_at,
                    password_hash=user.password_hash,
                    password_changed_at=user.created_at if user.password_hash else None,
                    created_at=user.created_at,
                    updated_at=user.created_at,
                )
            )
        except IntegrityError as exc:
            translate_unique_violation(exc, _UNIQUE_ERRORS)
            raise
        await self._session.execute(
            insert(ProfileRow).values(
                user_id=user.id,
                firstname=profile.firstname,
                lastname=profile.lastname,
                photo=profile.photo,
                locale=profile.locale,
                updated_at=user.created_at,
            )
        )

    async def by_login(self, identifier: str) -> User | None:
        if "@" in identifier:
            condition = UserRow.email == identifier.lower()
        else:
            condition = func.lower(UserRow.username) == identifier.lower()
        return await self._one(condition)

    async def by_email(self, email: str) -> User | None:
        return await self._one(UserRow.email == email)

    async def by_id(self, user_id: UUID) -> User | None:
        return await self._one(UserRow.id == user_id)

    async def by_id_for_update(self, user_id: UUID) -> User | None:
        lock = select(UserRow.id).where(UserRow.id == user_id).with_for_update()
        if await self._session.scalar(lock) is None:
            return None
        # A second statement: under READ COMMITTED it takes a new snapshot, so it sees what a
        # transaction we waited for committed, providers (another table) included. Read by the
        # locking statement itself, they would be as they were before the wait.
        return await self.by_id(user_id)

    async def _one(self, condition) -> User | None:
        row = (await self._session.execute(select_users().where(condition))).one_or_none()
        return user_from_row(row._mapping) if row else None

    async def set_password_hash(self, user_id: UUID, password_hash: str | None) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(password_hash=password_hash, password_changed_at=func.now(), updated_at=func.now())
        )

    async def mark_email_verified(self, user_id: UUID, now: datetime, via: str) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(email_verified_at=now, email_verified_via=via, updated_at=now)
        )

    async def change_email(self, user_id: UUID, email: str, now: datetime) -> None:
        try:
            await self._session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(email=email, email_verified_at=now, email_verified_via="link", updated_at=now)
            )
        except IntegrityError as exc:
            translate_unique_violation(exc, _UNIQUE_ERRORS)
            raise

    async def remove_phone(self, user_id: UUID, now: datetime) -> None:
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id)
            .values(phone_number=None, phone_verified_at=None, phone_changed_at=now, updated_at=now)
        )

    async def update_profile(self, user_id: UUID, changes: ProfileChanges, now: datetime) -> None:
        account, profile = changes.changed(ACCOUNT_FIELDS), changes.changed(PROFILE_FIELDS)
        if "phone_number" in account:
            account["phone_verified_at"] = None  # a new number is proved by a new code
            account["phone_changed_at"] = now
        try:
            await self._session.execute(
                update(UserRow).where(UserRow.id == user_id).values(**account, updated_at=now)
            )
        except IntegrityError as exc:
            translate_unique_violation(exc, _UNIQUE_ERRORS)
            raise
        if profile:
            await self._session.execute(
                update(ProfileRow).where(ProfileRow.user_id == user_id).values(**profile, updated_at=now)
            )

    async def by_verified_phone(self, phone_number: str) -> User | None:
        return await self._one(
            (UserRow.phone_number == phone_number) & UserRow.phone_verified_at.isnot(None)
        )

    async def mark_phone_verified(self, user_id: UUID, phone_number: str, now: datetime) -> bool:
        try:
            result = await self._session.execute(
                update(UserRow)
                .where(UserRow.id == user_id, UserRow.phone_number == phone_number)
                .values(phone_verified_at=now, updated_at=now)
            )
        except IntegrityError as exc:  # uq_users_phone_verified: another account won
            translate_unique_violation(exc, _UNIQUE_ERRORS)
            raise
        return result.rowcount == 1


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

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, reason: str, keep: UUID | None = None
    ) -> int:
        condition = SessionRow.user_id == user_id
        if keep is not None:
            condition = condition & (SessionRow.id != keep)
        return await self._revoke(condition, now, reason)

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
    )
