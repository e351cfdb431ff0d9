from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.freshness import Freshness
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import LastLoginMethod, NotAuthenticated, NotLinked


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlinkAccount:
    """Detach a provider (DELETE /auth/accounts/{provider}).

    - a session is needed (401), and a fresh one (403 reauth_required, Freshness), asked
      first: removing a way in is a sensitive action;
    - the provider must be linked to the signed-in user (404 not_linked);
    - the last way left to sign in cannot go: without a password or a passkey, the only
      provider stays (409 last_login_method);
    - decided under a lock on the user's row, on the password and providers read once it is
      held: two unlinks at once (say, of both providers of a password-less account) take
      turns, the second sees what the first removed, and one always answers
      last_login_method, never both succeeding;
    - `provider_unlinked` is recorded with the client's ip and user agent, in the same
      transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    freshness: Freshness

    async def execute(self, sid: str | None, provider: str, client: ClientInfo) -> None:
        signed_in = await self.current_user.require(sid)
        async with self.new_uow() as uow:
            user = await uow.users.by_id_for_update(signed_in.id)
            if user is None:  # deleted since the session was read
                raise NotAuthenticated()
            await self.freshness.require(uow, user, sid or "", self.clock.now())
            accounts = await uow.linked_accounts.for_user(user.id)
            if provider not in {a.provider for a in accounts}:
                raise NotLinked()
            if not user.has_password and len(accounts) == 1 and not await uow.passkeys.count(user.id):
                raise LastLoginMethod()
            await uow.linked_accounts.remove(user.id, provider)
            await uow.events.record(
                user.id, "provider_unlinked", {"provider": provider}, self.clock.now(), client
            )
            await uow.commit()
