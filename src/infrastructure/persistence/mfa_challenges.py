"""Second-step challenges in PostgreSQL: a claim locks the row (SELECT ... FOR UPDATE) for
the unit of work, so answers to one challenge are judged one after the other; the owner's
row is held first (owner_lock.py), so the account's deletion waits rather than deadlocks."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import MfaChallengeRepository
from domain.second_factor import MfaChallenge
from infrastructure.persistence.owner_lock import hold_owner
from infrastructure.persistence.tables import MfaChallengeRow

_CHALLENGE = MfaChallengeRow


class SqlMfaChallengeRepository(MfaChallengeRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, challenge: MfaChallenge) -> None:
        await self._session.execute(
            insert(_CHALLENGE).values(
                token_hash=challenge.digest, user_id=challenge.user_id, method=challenge.method,
                lock_key=challenge.lock_key, pending_link_hash=challenge.pending_link_digest,
                wrong_answers=challenge.wrong_answers, created_at=challenge.created_at,
                expires_at=challenge.expires_at,
            )
        )

    async def claim(self, digests: Sequence[bytes], now: datetime) -> MfaChallenge | None:
        await hold_owner(self._session, select(_CHALLENGE.user_id).where(_CHALLENGE.token_hash.in_(list(digests))))
        row = (
            await self._session.execute(
                select(_CHALLENGE)
                .where(_CHALLENGE.token_hash.in_(list(digests)), _CHALLENGE.used_at.is_(None))
                .limit(1)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return MfaChallenge(
            digest=row.token_hash, user_id=row.user_id, method=row.method, lock_key=row.lock_key,
            created_at=row.created_at, expires_at=row.expires_at, wrong_answers=row.wrong_answers,
            pending_link_digest=row.pending_link_hash,
        )

    async def record_wrong(self, digest: bytes) -> None:
        await self._session.execute(
            update(_CHALLENGE).where(_CHALLENGE.token_hash == digest)
            .values(wrong_answers=_CHALLENGE.wrong_answers + 1)
            .execution_options(synchronize_session=False)
        )

    async def finish(self, digest: bytes, now: datetime) -> None:
        await self._session.execute(
            update(_CHALLENGE).where(_CHALLENGE.token_hash == digest).values(used_at=now)
            .execution_options(synchronize_session=False)
        )
