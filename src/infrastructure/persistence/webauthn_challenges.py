"""Passkey ceremonies' challenges in PostgreSQL: one per binding and purpose, used up by the
DELETE that takes it (of two takes at once, one gets the row)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import WebAuthnChallengeRepository
from domain.passkeys import ChallengePurpose, WebAuthnChallenge
from infrastructure.persistence.tables import WebAuthnChallengeRow

_CHALLENGE = WebAuthnChallengeRow


class SqlWebAuthnChallengeRepository(WebAuthnChallengeRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, challenge: WebAuthnChallenge) -> None:
        statement = insert(_CHALLENGE).values(
            challenge=challenge.challenge, binding=challenge.binding, purpose=challenge.purpose.value,
            user_id=challenge.user_id, created_at=challenge.created_at, expires_at=challenge.expires_at,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                constraint="uq_webauthn_challenges_binding_purpose",
                set_={column: statement.excluded[column]
                      for column in ("challenge", "user_id", "created_at", "expires_at")},
            )
        )

    async def take(
        self, bindings: Sequence[bytes], purpose: ChallengePurpose, now: datetime
    ) -> WebAuthnChallenge | None:
        row = (
            await self._session.execute(
                delete(_CHALLENGE)
                .where(_CHALLENGE.binding.in_(list(bindings)), _CHALLENGE.purpose == purpose.value)
                .returning(_CHALLENGE)
            )
        ).scalars().first()
        if row is None:
            return None
        challenge = WebAuthnChallenge(
            row.challenge, ChallengePurpose(row.purpose), row.binding, row.created_at, row.expires_at, row.user_id
        )
        return challenge if challenge.is_open(now) else None
