"""/auth/refresh's usual case in one statement: claim, successor, sid and last-seen together.

The statement's parts run on one snapshot and commit together (PostgreSQL data-modifying
CTEs), so no BEGIN/COMMIT travels with it: one round trip instead of seven, and no ORM
unit of work (the ORM path cost ~4 ms of CPU per refresh, ten times /auth/me's).

The claim is the same conditional UPDATE as SqlSessionRepository.claim_refresh_token:
a concurrent rotation of the token blocks on its row lock, then finds `rotated_at` set and
claims nothing, so the whole statement changes nothing and answers no row.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from application.ports.persistence import RefreshRotation
from domain.sessions import Rotation
from infrastructure.persistence.driver_pool import DriverPool

# $1 the token's digests (one per key: SECRET_KEY, then its fallbacks), $2 its successor's, $3 the new sid's, $4 now, $5 when the sid would end.
ROTATE = """
WITH claimed AS (
    UPDATE refresh_tokens AS token SET rotated_at = $4
    FROM sessions AS session
    WHERE token.token_hash = ANY($1::bytea[]) AND token.rotated_at IS NULL
      AND session.id = token.session_id AND session.revoked_at IS NULL AND session.expires_at > $4
    RETURNING token.session_id, token.generation, session.expires_at
), successor AS (
    INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at)
    SELECT $2, session_id, generation + 1, $4 FROM claimed
), seen AS (
    UPDATE sessions SET last_seen_at = $4 FROM claimed WHERE sessions.id = claimed.session_id
), sid AS (
    INSERT INTO session_sids (token_hash, session_id, expires_at)
    SELECT $3, session_id, LEAST($5, expires_at) FROM claimed
    RETURNING expires_at
)
SELECT claimed.session_id, claimed.expires_at AS session_expires_at, sid.expires_at AS sid_expires_at
FROM claimed, sid
"""


class SqlRefreshRotation(RefreshRotation):
    def __init__(self, pool: DriverPool) -> None:
        self._pool = pool

    async def rotate(
        self, digests: Sequence[bytes], successor_digest: bytes, sid_digest: bytes, now: datetime,
        sid_ttl: timedelta,
    ) -> Rotation | None:
        row = await self._pool.fetchrow(ROTATE, list(digests), successor_digest, sid_digest, now, now + sid_ttl)
        return Rotation(*row) if row else None
