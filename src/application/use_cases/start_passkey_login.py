from dataclasses import dataclass, field
from datetime import datetime

from application.policy import PasskeyPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.address_limit import AddressLimiter
from domain.clients import ClientInfo
from domain.passkeys import ChallengePurpose, new_challenge


@dataclass(frozen=True, slots=True)
class PasskeyLoginStart:
    options: Json
    cookie_token: str = field(repr=False)  # the passkey_challenge cookie's value
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPasskeyLogin:
    """The request options of a passkey sign-in (POST /auth/passkeys/login/options).

    - counted per client address (429 rate_limited over PasskeyPolicy.per_address);
    - discoverable: no allowCredentials, the authenticator offers the passkeys it holds;
      user verification required;
    - the challenge is bound to this browser by a cookie whose digest alone is stored; it is
      for a sign-in only, single use, PasskeyPolicy.challenge_ttl long.
    """

    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    verifier: PasskeyVerifier
    limiter: AddressLimiter
    policy: PasskeyPolicy

    async def execute(self, client: ClientInfo) -> PasskeyLoginStart:
        now = self.clock.now()
        await self.limiter.admit(client.ip, now)
        token = self.tokens.new_token()
        challenge = new_challenge(
            self.verifier.new_challenge(), ChallengePurpose.LOGIN, self.tokens.digest(token), now, None,
            self.policy.challenge_ttl,
        )
        async with self.new_uow() as uow:
            await uow.webauthn_challenges.add(challenge)
            await uow.commit()
        options = self.verifier.request_options(challenge=challenge.challenge, allow=[])
        return PasskeyLoginStart(options, token, challenge.expires_at)
