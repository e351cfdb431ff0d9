"""Passkeys and the accounts' user handles in PostgreSQL; every change that decides something
is one conditional statement."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import PasskeyRepository
from domain.passkeys import Passkey
from infrastructure.persistence.owner_lock import hold_owner
from infrastructure.persistence.tables import PasskeyRow, PasskeyUserHandleRow

_PASSKEY = PasskeyRow
_HANDLE = PasskeyUserHandleRow


def _passkey(row: PasskeyRow) -> Passkey:
    return Passkey(
        id=row.id, user_id=row.user_id, credential_id=row.credential_id, public_key=row.public_key,
        sign_count=row.sign_count, transports=tuple(row.transports), backup_eligible=row.backup_eligible,
        backed_up=row.backed_up, aaguid=row.aaguid, name=row.name, created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class SqlPasskeyRepository(PasskeyRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def user_handle(self, user_id: UUID) -> bytes | None:
        return await self._session.scalar(select(_HANDLE.handle).where(_HANDLE.user_id == user_id))

    async def keep_user_handle(self, user_id: UUID, handle: bytes) -> bytes:
        await self._session.execute(
            insert(_HANDLE).values(user_id=user_id, handle=handle, created_at=func.now())
            .on_conflict_do_nothing(index_elements=[_HANDLE.user_id])
        )
        kept = await self.user_handle(user_id)
        assert kept is not None  # inserted, or there already
        return kept

    async def user_by_handle(self, handle: bytes) -> UUID | None:
        return await self._session.scalar(select(_HANDLE.user_id).where(_HANDLE.handle == handle))

    async def add(self, passkey: Passkey) -> bool:
        written = await self._session.execute(
            insert(_PASSKEY).values(
                id=passkey.id, user_id=passkey.user_id, credential_id=passkey.credential_id,
                public_key=passkey.public_key, sign_count=passkey.sign_count, transports=list(passkey.transports),
                backup_eligible=passkey.backup_eligible, backed_up=passkey.backed_up, aaguid=passkey.aaguid,
                name=passkey.name, created_at=passkey.created_at, last_used_at=passkey.last_used_at,
            ).on_conflict_do_nothing(index_elements=[_PASSKEY.credential_id]).returning(_PASSKEY.id)
        )
        return written.one_or_none() is not None

    async def for_user(self, user_id: UUID) -> list[Passkey]:
        rows = await self._session.scalars(
            select(_PASSKEY).where(_PASSKEY.user_id == user_id).order_by(_PASSKEY.created_at, _PASSKEY.id)
        )
        return [_passkey(row) for row in rows]

    async def count(self, user_id: UUID) -> int:
        return await self._session.scalar(
            select(func.count()).select_from(_PASSKEY).where(_PASSKEY.user_id == user_id)
        ) or 0

    async def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        row = await self._session.scalar(select(_PASSKEY).where(_PASSKEY.credential_id == credential_id))
        return _passkey(row) if row is not None else None

    async def record_use(
        self, passkey_id: UUID, seen_count: int, sign_count: int, backed_up: bool, now: datetime
    ) -> bool:
        # The WHERE is the gate: of two sign-ins that read the same counter, the second waits
        # for the row lock, then finds the counter moved and changes nothing.
        await hold_owner(self._session, select(_PASSKEY.user_id).where(_PASSKEY.id == passkey_id))
        written = await self._session.execute(
            update(_PASSKEY).where(_PASSKEY.id == passkey_id, _PASSKEY.sign_count == seen_count)
            .values(sign_count=sign_count, backed_up=backed_up, last_used_at=now).returning(_PASSKEY.id)
        )
        return written.one_or_none() is not None

    async def rename(self, user_id: UUID, passkey_id: UUID, name: str) -> Passkey | None:
        row = (
            await self._session.execute(
                update(_PASSKEY).where(_PASSKEY.id == passkey_id, _PASSKEY.user_id == user_id)
                .values(name=name).returning(_PASSKEY)
            )
        ).scalar_one_or_none()
        return _passkey(row) if row is not None else None

    async def remove(self, user_id: UUID, passkey_id: UUID) -> bool:
        written = await self._session.execute(
            delete(_PASSKEY).where(_PASSKEY.id == passkey_id, _PASSKEY.user_id == user_id).returning(_PASSKEY.id)
        )
        return written.one_or_none() is not None
