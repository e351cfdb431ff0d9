"""Telling the owner of a lock that failed logins just set (POST /auth/unlock lifts it)."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.email_links import EmailLinks
from domain.clients import ClientInfo
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class LockNotice:
    """Told by the login of the one failed attempt that set a lock (so once per lock: the
    account's lock on unknown browsers and each device's own lock are separate locks).

    - `account_locked` is recorded for the account;
    - an account with an email gets one IDENTIFIER_LOCKED email with an unlock link
      (purpose unlock, 1 h, stored as a digest), enqueued in the same unit of work;
    - an unknown identifier has no account: the caller sends nothing for it.
    """

    new_uow: UnitOfWorkFactory
    email_links: EmailLinks
    clock: Clock

    async def send(self, user: User, client: ClientInfo) -> None:
        now = self.clock.now()
        async with self.new_uow() as uow:
            await uow.events.record(user.id, "account_locked", {}, now, client)
            if user.email is not None:
                await self.email_links.send_unlock(uow, user, client, now)
            await uow.commit()
