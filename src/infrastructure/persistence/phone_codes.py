"""WhatsApp codes in PostgreSQL: every try is one conditional UPDATE, so concurrent tries
queue on the row lock and each is counted."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import PhoneCodeRepository
from domain.codes import CodeCheck, PhoneCode
from infrastructure.persistence.tables import VerificationCodeRow

_CODE = VerificationCodeRow


class SqlPhoneCodeRepository(PhoneCodeRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, code: PhoneCode, now: datetime) -> None:
        await self._session.execute(
            update(_CODE)
            .where(_CODE.user_id == code.user_id, _CODE.purpose == code.purpose, _CODE.used_at.is_(None))
            .values(used_at=now)
        )
        await self._session.execute(
            insert(_CODE).values(
                id=code.id, user_id=code.user_id, purpose=code.purpose,
                phone_number=code.phone_number, code_hash=code.digest, attempts=0,
                created_at=code.created_at, expires_at=code.expires_at,
            )
        )

    async def void(self, user_id: UUID, now: datetime) -> None:
        await self._session.execute(
            update(_CODE).where(_CODE.user_id == user_id, _CODE.used_at.is_(None)).values(used_at=now)
        )

    async def check(
        self, user_id: UUID, purpose: str, phone_number: str, digests: Sequence[bytes],
        now: datetime, max_attempts: int,
    ) -> CodeCheck:
        # The WHERE is the gate: a try on a spent, used or expired code changes nothing,
        # and a concurrent try waits for the row lock, then sees the count this one wrote.
        live = (
            (_CODE.user_id == user_id) & (_CODE.purpose == purpose)
            & (_CODE.phone_number == phone_number) & (_CODE.expires_at > now)
        )
        matched = _CODE.code_hash.in_(list(digests))
        counted = (
            await self._session.execute(
                update(_CODE)
                .where(live, _CODE.used_at.is_(None), _CODE.attempts < max_attempts)
                .values(attempts=_CODE.attempts + 1, used_at=case((matched, now), else_=None))
                .returning(matched.label("matched"), _CODE.attempts)
                .execution_options(synchronize_session=False)
            )
        ).one_or_none()
        if counted is not None:
            if counted.matched:
                return CodeCheck.MATCHED
            return CodeCheck.BURNED if counted.attempts >= max_attempts else CodeCheck.WRONG
        spent = await self._session.scalar(
            select(_CODE.id).where(live, _CODE.used_at.is_(None), _CODE.attempts >= max_attempts).limit(1)
        )
        return CodeCheck.BURNED if spent is not None else CodeCheck.NO_CODE
