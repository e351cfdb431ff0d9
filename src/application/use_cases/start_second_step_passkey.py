from dataclasses import dataclass

from application.policy import PasskeyPolicy, SecondFactorPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from domain.errors import MfaChallengeExpired, NotFound
from domain.passkeys import ChallengePurpose, new_challenge


@dataclass(frozen=True, slots=True, kw_only=True)
class StartSecondStepPasskey:
    """The request options of a passkey answering the second step of a sign-in
    (POST /auth/mfa/passkey/options).

    - no challenge cookie, or one that is unknown, used, expired or burned: 401
      mfa_challenge_expired (sign in again); asking counts no answer;
    - an account without a passkey has none to answer with: 404 not_found;
    - the options allow the account's passkeys only, user verification required;
    - the WebAuthn challenge is bound to that second-step challenge (its digest), for the
      second step only, single use, PasskeyPolicy.challenge_ttl long but never past the
      second-step challenge; a new call replaces it.
    """

    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    verifier: PasskeyVerifier
    policy: PasskeyPolicy
    step_policy: SecondFactorPolicy

    async def execute(self, challenge_token: str | None) -> Json:
        if not challenge_token:
            raise MfaChallengeExpired()
        now = self.clock.now()
        async with self.new_uow() as uow:
            step = await uow.mfa_challenges.claim(self.tokens.digests(challenge_token), now)
            if step is None or not step.is_open(now, self.step_policy.max_wrong_answers):
                raise MfaChallengeExpired()
            allow = [passkey.credential_id for passkey in await uow.passkeys.for_user(step.user_id)]
            if not allow:
                raise NotFound()
            ttl = min(self.policy.challenge_ttl, step.expires_at - now)
            challenge = new_challenge(
                self.verifier.new_challenge(), ChallengePurpose.MFA, step.digest, now, step.user_id, ttl
            )
            await uow.webauthn_challenges.add(challenge)
            await uow.commit()
        return self.verifier.request_options(challenge=challenge.challenge, allow=allow)
