from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.use_cases.get_current_user import GetCurrentUser


@dataclass(frozen=True, slots=True)
class MfaStatus:
    totp: bool
    recovery_codes_left: int
    passkeys: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMfaStatus:
    """The account's second factors (GET /auth/mfa).

    - a session is needed (401);
    - `totp` is on only once a code confirmed it (a pending setup is not on);
    - `recovery_codes_left` counts the unused codes of the current set;
    - `passkeys` counts the account's passkeys (each signs in on its own, user-verified).
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory

    async def execute(self, sid: str | None) -> MfaStatus:
        user = await self.current_user.require(sid)
        async with self.new_uow() as uow:
            totp = await uow.totp.get(user.id)
            left = await uow.recovery_codes.left(user.id)
            passkeys = await uow.passkeys.count(user.id)
        return MfaStatus(totp=totp is not None and totp.enabled, recovery_codes_left=left, passkeys=passkeys)
