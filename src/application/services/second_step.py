"""Opening the second step of a sign-in, and the recovery codes that may answer it."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.policy import SecondFactorPolicy
from application.ports.persistence import UnitOfWork
from application.ports.security import SecondFactorSecrets, TokenMinter
from domain.errors import MfaNotEnabled
from domain.recovery_codes import normalize_recovery_code
from domain.second_factor import MfaChallenge, TotpState, second_step_methods


async def enabled_totp(uow: UnitOfWork, user_id: UUID) -> TotpState:
    """The account's TOTP, which must be on (a pending setup is not): else MfaNotEnabled."""
    totp = await uow.totp.get(user_id)
    if totp is None or not totp.enabled:
        raise MfaNotEnabled()
    return totp


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge opened: its cookie's value (kept out of any repr, and log), when it ends,
    and what may answer it."""

    token: str = field(repr=False)
    expires_at: datetime
    methods: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class SecondStep:
    """Called by a first factor that was right, in its unit of work, before any session.

    - a second step is needed when the account has a method for it (its TOTP is on); its
      passkeys may answer it too (listed then in its methods);
    - the first factor does not clear its attempt count when it opens a challenge: the
      answers add to it, and only a right one clears it (VerifySecondStep);
    - a challenge is a fresh random token (its cookie), stored only as its digest, living
      `SecondFactorPolicy.challenge_ttl`, answered at most `max_wrong_answers` times wrong;
    - it remembers how the first factor signed in (`method`), the attempt counter that factor
      was counted under (wrong answers count there too, toward the lock), and the digest of
      the browser's pending link (attached only once the second step is passed).
    """

    tokens: TokenMinter
    policy: SecondFactorPolicy

    async def challenge(
        self, uow: UnitOfWork, user_id: UUID, method: str, lock_key: str, now: datetime,
        pending_link: str | None = None,
    ) -> Challenge | None:
        """A challenge for this account's second step, or None when it needs none."""
        methods = second_step_methods(await uow.totp.get(user_id), await uow.passkeys.count(user_id))
        if not methods:
            return None
        token = self.tokens.new_token()
        challenge = MfaChallenge(
            digest=self.tokens.digest(token), user_id=user_id, method=method, lock_key=lock_key,
            created_at=now, expires_at=now + self.policy.challenge_ttl,
            pending_link_digest=self.tokens.digest(pending_link) if pending_link else None,
        )
        await uow.mfa_challenges.add(challenge)
        return Challenge(token, challenge.expires_at, methods)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryCodeIssuer:
    """A new set of `SecondFactorPolicy.recovery_codes` distinct codes replaces the account's
    old set; only their digests (of the normalised form) are stored, and the codes are
    answered once, to be shown once."""

    secrets: SecondFactorSecrets
    tokens: TokenMinter
    policy: SecondFactorPolicy

    async def issue(self, uow: UnitOfWork, user_id: UUID, now: datetime) -> list[str]:
        codes: dict[str, None] = {}
        while len(codes) < self.policy.recovery_codes:
            codes[self.secrets.new_recovery_code()] = None
        normalised = [normalize_recovery_code(code) for code in codes]
        assert None not in normalised, "a recovery code the domain cannot read"
        digests = [self.tokens.digest(code) for code in normalised if code is not None]
        await uow.recovery_codes.replace(user_id, digests, now)
        return list(codes)
