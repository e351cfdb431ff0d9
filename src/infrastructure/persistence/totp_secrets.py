"""TOTP secrets in PostgreSQL, encrypted at rest (TokenCipher, as provider tokens); every
change that decides something is one conditional statement."""

import base64
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import TotpRepository
from domain.second_factor import TotpState
from infrastructure.persistence.owner_lock import hold_owner
from infrastructure.persistence.tables import TotpSecretRow
from infrastructure.security.cipher import TokenCipher

_TOTP = TotpSecretRow


class SqlTotpRepository(TotpRepository):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def get(self, user_id: UUID) -> TotpState | None:
        row = (await self._session.execute(select(_TOTP).where(_TOTP.user_id == user_id))).scalar_one_or_none()
        if row is None:
            return None
        text = self._cipher.readable_or_none(row.secret, "TOTP secret")
        if text is None:  # sealed under a key no longer configured: as if there were none
            return None
        return TotpState(base64.b32decode(text), row.confirmed_at, row.last_step)

    async def set_pending(self, user_id: UUID, secret: bytes, now: datetime) -> bool:
        sealed = self._cipher.encrypt(base64.b32encode(secret).decode())
        statement = insert(_TOTP).values(user_id=user_id, secret=sealed, created_at=now)
        written = await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_TOTP.user_id],
                set_={"secret": statement.excluded.secret, "created_at": now, "last_step": None},
                where=_TOTP.confirmed_at.is_(None),  # an enabled secret is never replaced
            ).returning(_TOTP.user_id)
        )
        return written.one_or_none() is not None

    async def enable(self, user_id: UUID, step: int, now: datetime) -> bool:
        return await self._updated(
            update(_TOTP).where(_TOTP.user_id == user_id, _TOTP.confirmed_at.is_(None))
            .values(confirmed_at=now, last_step=step)
        )

    async def accept_step(self, user_id: UUID, step: int) -> bool:
        # The WHERE is the gate: a concurrent acceptance of the same step waits for the row
        # lock, then finds last_step already there and changes nothing.
        await hold_owner(self._session, user_id)
        return await self._updated(
            update(_TOTP)
            .where(_TOTP.user_id == user_id, _TOTP.confirmed_at.is_not(None),
                   (_TOTP.last_step.is_(None)) | (_TOTP.last_step < step))
            .values(last_step=step)
        )

    async def remove(self, user_id: UUID) -> bool:
        return await self._updated(delete(_TOTP).where(_TOTP.user_id == user_id))

    async def _updated(self, statement) -> bool:
        result = await self._session.execute(statement.execution_options(synchronize_session=False))
        return result.rowcount > 0
