from dataclasses import dataclass
from datetime import datetime

from application.policy import FreshnessPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.freshness import mark_fresh
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.services.passkeys import PASSKEY_REFUSED, session_binding, use_passkey
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import InvalidCode, InvalidPasskey
from domain.passkeys import ChallengePurpose
from domain.second_factor import PASSKEY


@dataclass(frozen=True, slots=True, kw_only=True)
class ReauthenticateWithPasskey:
    """Make this session fresh again with one of the account's passkeys (POST /auth/reauth
    with `credential`): a passkey is user-verified, so it is proof enough on its own.

    - a session is needed (401);
    - the request is counted before anything is checked, as Reauthenticate's are: with the
      login's failures under the account's key (423 once locked; the attempt that sets the
      lock tells the LockNotice); a right one clears that count;
    - right when it answers this session's re-authentication challenge (StartPasskeyReauth;
      used up by this answer whatever its verdict) with one of the account's passkeys
      (application.services.passkeys.use_passkey: an unreadable answer, another account's
      passkey, a bad signature, a replay or a counter that went back are refused, the last
      written in the account's activity): 400 invalid_code otherwise, as a wrong code;
    - right: the session is fresh from now, `reauthenticated` is recorded with method
      passkey, and the answer is until when it stays fresh (`FreshnessPolicy.max_age`).
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    verifier: PasskeyVerifier
    tokens: TokenMinter
    clock: Clock
    guard: LoginGuard
    lock_notice: LockNotice
    policy: FreshnessPolicy

    async def execute(self, sid: str | None, client: ClientInfo, credential: Json) -> datetime:
        user = await self.current_user.require(sid)
        attempt = await self.guard.admit(user, "", self.clock.now())
        now = self.clock.now()
        async with self.new_uow() as uow:
            binding = await session_binding(uow, self.tokens, sid or "")
            asked = await uow.webauthn_challenges.take([binding], ChallengePurpose.REAUTH, now)
            try:
                if asked is None or asked.user_id != user.id:
                    raise InvalidPasskey()
                await use_passkey(uow, self.verifier, credential, asked.challenge, client, now, owner=user.id)
            except InvalidPasskey:
                await uow.commit()  # the challenge is used up, a counter that went back on record
                if attempt.locks:
                    await self.lock_notice.send(user, client)
                raise InvalidCode(PASSKEY_REFUSED) from None
            await mark_fresh(uow, self.tokens, user, sid or "", [PASSKEY], client, now)
            await uow.commit()
        await self.guard.succeeded(attempt.key)
        return now + self.policy.max_age
