from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.email_links import EmailLinks
from application.services.second_step import RecoveryCodeIssuer
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import InvalidCode, InvalidInput, MfaSetupNotStarted
from domain.totp import match_totp, normalize_totp_code


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmTotp:
    """Turn TOTP on with a first code from the app (POST /auth/mfa/totp/confirm).

    - a session is needed (401); a code that is not 6 digits is a bad input (400), checked
      before anything else;
    - a pending secret is needed (409 mfa_setup_not_started: none set up, or on already);
    - the code must be the secret's, one step of drift either side (400 invalid_code);
      its step is the first accepted: that code cannot sign in afterwards (replay);
    - of two confirmations at once, one turns it on, the other answers mfa_setup_not_started;
    - a first set of recovery codes is issued (RecoveryCodeIssuer) and answered, once;
    - `mfa_enabled` is recorded and the owner told (a "not you?" link), in the same transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    recovery_codes: RecoveryCodeIssuer
    email_links: EmailLinks

    async def execute(self, sid: str | None, code: str, client: ClientInfo) -> list[str]:
        user = await self.current_user.require(sid)
        typed = normalize_totp_code(code)
        if typed is None:
            raise InvalidInput("code", "is the 6 digits the app shows")
        now = self.clock.now()
        async with self.new_uow() as uow:
            totp = await uow.totp.get(user.id)
            if totp is None or totp.enabled:
                raise MfaSetupNotStarted()
            step = match_totp(totp.secret, typed, now, None)
            if step is None:
                raise InvalidCode()
            if not await uow.totp.enable(user.id, step, now):
                raise MfaSetupNotStarted()
            codes = await self.recovery_codes.issue(uow, user.id, now)
            await uow.events.record(user.id, "mfa_enabled", {"method": "totp"}, now, client)
            await self.email_links.send_second_factor_changed(uow, user, "totp_on", client, now)
            await uow.commit()
        return codes
