from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.email_links import EmailLinks
from application.services.freshness import Freshness
from application.services.second_step import enabled_totp
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class DisableTotp:
    """Turn TOTP off (DELETE /auth/mfa/totp).

    - a session is needed (401), and a fresh one (403 reauth_required);
    - TOTP must be on (404 mfa_not_enabled; a pending setup alone is not on);
    - the secret and every recovery code go;
    - `mfa_disabled` is recorded and the owner told (a "not you?" link), in the same transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    freshness: Freshness
    email_links: EmailLinks

    async def execute(self, sid: str | None, client: ClientInfo) -> None:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            await self.freshness.require(uow, user, sid or "", now)
            await enabled_totp(uow, user.id)
            await uow.totp.remove(user.id)
            await uow.recovery_codes.remove_all(user.id)
            await uow.events.record(user.id, "mfa_disabled", {"method": "totp"}, now, client)
            await self.email_links.send_second_factor_changed(uow, user, "totp_off", client, now)
            await uow.commit()
