"""Users (with their profile) in PostgreSQL, on the unit of work's session."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import UserRepository
from domain.errors import EmailTaken, PhoneTaken, UsernameTaken
from domain.profile import ACCOUNT_FIELDS, PROFILE_FIELDS, ProfileChanges
from domain.users import User
from infrastructure.persistence.errors import translate_unique_violation
from infrastructure.persistence.tables import ProfileRow, UserRow
from infrastructure.persistence.user_rows import select_users, user_from_row

_UNIQUE_ERRORS = {
    "uq_users_email": EmailTaken,
    "uq_users_username_lower": UsernameTaken,
    "uq_users_phone_verified": PhoneTaken,
}


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

    async def delete(self, user_id: UUID) -> None:
        # Every table that refers to a user does so by a foreign key with ON DELETE CASCADE
        # (tables.py): this one statement erases them all, in this transaction.
        await self._session.execute(delete(UserRow).where(UserRow.id == user_id))

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
