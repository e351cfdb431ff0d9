from dataclasses import dataclass

from application.policy import PasskeyPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.freshness import Freshness
from application.services.passkeys import account_label, session_binding
from application.use_cases.get_current_user import GetCurrentUser
from domain.ownership import require_proven_address
from domain.passkeys import ChallengePurpose, new_challenge


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPasskeyRegistration:
    """The creation options of a new passkey (POST /auth/passkeys/register/options).

    - a session is needed (401), and a fresh one (403 reauth_required);
    - an account whose email nobody has proven gains no passkey (403 email_not_verified,
      domain.ownership.require_proven_address): whoever typed the address may not own it;
    - the account's user handle is made on its first registration (64 random bytes, never
      the user id) and kept: every passkey of the account carries the same one;
    - the challenge is bound to this session, for registration only, single use, 5 minutes;
      a new one replaces the session's earlier one;
    - the account's passkeys are excluded (an authenticator holding one says so at once).
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    freshness: Freshness
    verifier: PasskeyVerifier
    policy: PasskeyPolicy

    async def execute(self, sid: str | None) -> Json:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        challenge = self.verifier.new_challenge()
        async with self.new_uow() as uow:
            await self.freshness.require(uow, user, sid or "", now)
            require_proven_address(user)
            binding = await session_binding(uow, self.tokens, sid or "")
            handle = await uow.passkeys.user_handle(user.id)
            if handle is None:
                handle = await uow.passkeys.keep_user_handle(user.id, self.verifier.new_user_handle())
            exclude = [passkey.credential_id for passkey in await uow.passkeys.for_user(user.id)]
            await uow.webauthn_challenges.add(
                new_challenge(challenge, ChallengePurpose.REGISTER, binding, now, user.id, self.policy.challenge_ttl)
            )
            await uow.commit()
        name, display_name = account_label(user)
        return self.verifier.creation_options(
            challenge=challenge, user_handle=handle, user_name=name, display_name=display_name,
            exclude=exclude,
        )
