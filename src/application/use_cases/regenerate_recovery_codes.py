from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.email_links import EmailLinks
from application.services.freshness import Freshness
from application.services.second_step import RecoveryCodeIssuer, enabled_totp
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class RegenerateRecoveryCodes:
    """A new set of recovery codes (POST /auth/mfa/recovery-codes).

    - a session is needed (401), and a fresh one (403 reauth_required);
    - TOTP must be on (404 mfa_not_enabled);
    - the new set replaces the old one (used or not, the old codes stop working) and is
      answered once;
    - `recovery_codes_regenerated` is recorded and the owner told, in the same transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    freshness: Freshness
    recovery_codes: RecoveryCodeIssuer
    email_links: EmailLinks

    async def execute(self, sid: str | None, client: ClientInfo) -> list[str]:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            await self.freshness.require(uow, user, sid or "", now)
            await enabled_totp(uow, user.id)
            codes = await self.recovery_codes.issue(uow, user.id, now)
            await uow.events.record(user.id, "recovery_codes_regenerated", {}, now, client)
            await self.email_links.send_second_factor_changed(uow, user, "recovery_codes_renewed", client, now)
            await uow.commit()
        return codes
