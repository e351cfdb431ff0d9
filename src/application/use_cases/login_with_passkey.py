from dataclasses import dataclass
from datetime import datetime

from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.address_limit import AddressLimiter
from application.services.device_cookies import DeviceCookies
from application.services.new_device import NewDeviceAlert
from application.services.outcomes import login_outcome
from application.services.passkeys import use_passkey
from application.services.session_tokens import SessionIssuer, SignedIn
from domain.clients import ClientInfo
from domain.errors import AccountGone, DomainError, InvalidPasskey
from domain.passkeys import ChallengePurpose, WebAuthnChallenge
from domain.second_factor import PASSKEY


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginWithPasskey:
    """Sign in with a passkey (POST /auth/passkeys/login).

    - counted per client address (429 rate_limited);
    - the answer is for the sign-in challenge this browser's cookie names, still open; the
      challenge is used up by this answer whatever its verdict;
    - the credential must be a registered passkey whose assertion verifies, its counter gone
      forward (application.services.passkeys.use_passkey: a counter that went back is written
      in the account's activity); 401 invalid_passkey otherwise, which says no more;
    - of two sign-ins with one counter value, one wins;
    - right: the passkey's counter, backup state and last use are kept, the new-device alert
      runs, a session opens (`signed_in` with method passkey; a passkey is user-verified, so
      there is no second step), a device cookie unless the browser holds a valid one;
    - every attempt is reported (Telemetry.login, method passkey): a refused answer as
      invalid_credentials, over the address limit as rate_limited;
    - an account deleted while it signed in (AccountGone) answers as an unknown credential,
      and nothing of the sign-in is kept.
    """

    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    verifier: PasskeyVerifier
    limiter: AddressLimiter
    issuer: SessionIssuer
    new_device: NewDeviceAlert
    devices: DeviceCookies
    telemetry: Telemetry

    async def execute(
        self, cookie_token: str | None, credential: Json, client: ClientInfo, device_cookie: str | None = None
    ) -> SignedIn:
        try:
            signed_in = await self._attempt(cookie_token, credential, client, device_cookie)
        except DomainError as refusal:
            self.telemetry.login(PASSKEY, login_outcome(refusal))
            raise
        self.telemetry.login(PASSKEY, "success")
        return signed_in

    async def _attempt(
        self, cookie_token: str | None, credential: Json, client: ClientInfo, device_cookie: str | None
    ) -> SignedIn:
        now = self.clock.now()
        await self.limiter.admit(client.ip, now)
        challenge = await self._take_challenge(cookie_token, now)
        try:
            return await self._sign_in(challenge, credential, client, device_cookie, now)
        except AccountGone:  # deleted while it signed in: as an unknown credential
            raise InvalidPasskey() from None

    async def _sign_in(
        self, challenge: WebAuthnChallenge, credential: Json, client: ClientInfo, device_cookie: str | None,
        now: datetime,
    ) -> SignedIn:
        async with self.new_uow() as uow:
            try:
                passkey = await use_passkey(uow, self.verifier, credential, challenge.challenge, client, now)
            except InvalidPasskey:
                await uow.commit()  # a counter that went back is on record; nothing else was written
                raise
            user = await uow.users.by_id(passkey.user_id)
            if user is None:
                raise InvalidPasskey()
            await self.new_device.check(uow, user, client, now)
            tokens = await self.issuer.open(uow, user.id, now, client, PASSKEY)
            await uow.commit()
        return SignedIn(user, tokens, None, self.devices.for_sign_in(device_cookie, user.id))

    async def _take_challenge(self, cookie_token: str | None, now: datetime) -> WebAuthnChallenge:
        """This browser's open sign-in challenge, used up at once (committed), whatever the
        verdict on the answer to come."""
        if not cookie_token:
            raise InvalidPasskey()
        async with self.new_uow() as uow:
            challenge = await uow.webauthn_challenges.take(
                self.tokens.digests(cookie_token), ChallengePurpose.LOGIN, now
            )
            await uow.commit()
        if challenge is None:
            raise InvalidPasskey()
        return challenge
