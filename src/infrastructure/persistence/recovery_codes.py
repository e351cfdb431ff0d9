"""Recovery codes in PostgreSQL, as digests: using one is one conditional UPDATE."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import RecoveryCodeRepository
from infrastructure.persistence.owner_lock import hold_owner
from infrastructure.persistence.tables import RecoveryCodeRow

_CODE = RecoveryCodeRow


class SqlRecoveryCodeRepository(RecoveryCodeRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, user_id: UUID, digests: Sequence[bytes], now: datetime) -> None:
        await self.remove_all(user_id)
        if digests:
            await self._session.execute(
                insert(_CODE), [{"user_id": user_id, "code_hash": digest, "created_at": now} for digest in digests]
            )

    async def use(self, user_id: UUID, digests: Sequence[bytes], now: datetime) -> bool:
        await hold_owner(self._session, user_id)
        used = await self._session.execute(
            update(_CODE)
            .where(_CODE.user_id == user_id, _CODE.code_hash.in_(list(digests)), _CODE.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return used.rowcount > 0

    async def left(self, user_id: UUID) -> int:
        return await self._session.scalar(
            select(func.count()).select_from(_CODE).where(_CODE.user_id == user_id, _CODE.used_at.is_(None))
        ) or 0

    async def remove_all(self, user_id: UUID) -> None:
        await self._session.execute(delete(_CODE).where(_CODE.user_id == user_id))
