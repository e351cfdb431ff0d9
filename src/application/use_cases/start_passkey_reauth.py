from dataclasses import dataclass

from application.policy import PasskeyPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.passkeys import session_binding
from application.use_cases.get_current_user import GetCurrentUser
from domain.errors import NotFound
from domain.passkeys import ChallengePurpose, new_challenge


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPasskeyReauth:
    """The request options of a re-authentication by passkey (POST /auth/reauth/passkey/options).

    - a session is needed (401); an account without a passkey has none to prove itself
      with: 404 not_found;
    - the options allow the account's passkeys only, user verification required;
    - the challenge is bound to this session, for re-authentication only, single use,
      PasskeyPolicy.challenge_ttl long; a new call replaces the session's earlier one.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    verifier: PasskeyVerifier
    policy: PasskeyPolicy

    async def execute(self, sid: str | None) -> Json:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            binding = await session_binding(uow, self.tokens, sid or "")
            allow = [passkey.credential_id for passkey in await uow.passkeys.for_user(user.id)]
            if not allow:
                raise NotFound()
            challenge = new_challenge(
                self.verifier.new_challenge(), ChallengePurpose.REAUTH, binding, now, user.id,
                self.policy.challenge_ttl,
            )
            await uow.webauthn_challenges.add(challenge)
            await uow.commit()
        return self.verifier.request_options(challenge=challenge.challenge, allow=allow)
