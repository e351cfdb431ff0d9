from dataclasses import dataclass
from uuid import UUID

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.email_links import EmailLinks
from application.services.freshness import Freshness
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import LastLoginMethod, NotAuthenticated, NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class RemovePasskey:
    """Remove one of the account's passkeys (DELETE /auth/passkeys/{id}).

    - a session is needed (401), and a fresh one (403 reauth_required);
    - a passkey the account does not have, another account's included: 404 not_found;
    - the last way to sign in stays: an account without a password or a linked provider
      keeps its last passkey (409 last_login_method); the account's row is held, so a
      removal and an unlink at once cannot both take the last two ways;
    - `passkey_removed` is recorded and the owner told (a "not you?" link), in one transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    freshness: Freshness
    email_links: EmailLinks

    async def execute(self, sid: str | None, passkey_id: UUID, client: ClientInfo) -> None:
        signed_in = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            user = await uow.users.by_id_for_update(signed_in.id)
            if user is None:  # deleted since the session was read
                raise NotAuthenticated()
            await self.freshness.require(uow, user, sid or "", now)
            passkeys = await uow.passkeys.for_user(user.id)
            removed = next((passkey for passkey in passkeys if passkey.id == passkey_id), None)
            if removed is None:
                raise NotFound()
            if not user.has_password and not user.providers and len(passkeys) == 1:
                raise LastLoginMethod()
            await uow.passkeys.remove(user.id, passkey_id)
            await uow.events.record(user.id, "passkey_removed", {"name": removed.name}, now, client)
            await self.email_links.send_second_factor_changed(uow, user, "passkey_removed", client, now)
            await uow.commit()
