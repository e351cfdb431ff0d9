from dataclasses import dataclass
from datetime import datetime

from application.ports.messages import ACCOUNT_DELETED, Message
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.ports.telemetry import Telemetry
from application.services.freshness import Freshness
from application.services.login_guard import LoginGuard
from application.use_cases.get_current_user import GetCurrentUser
from domain import email_links
from domain.clients import ClientInfo
from domain.errors import NotAuthenticated
from domain.locales import choose_locale


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAccount:
    """Erase the signed-in account (DELETE /auth/account).

    - a session is needed (401), and a fresh one (403 reauth_required, Freshness), asked
      first; decided under a lock on the user's row, so that no other change of the account
      runs meanwhile;
    - in one transaction: every message addressed to the account's email, its phone number
      or the address of a pending email change is deleted, sent or not (what waits never
      leaves); then the user and all that
      refers to it (UserRepository.delete: profile, linked accounts and their tokens,
      sessions with their sids and refresh tokens, passkeys and the user handle, TOTP,
      recovery codes, challenges, pending links, provider flows, email links, phone codes
      and security events); its email, username and number are free at once;
    - the last notice, `account_deleted`, goes to its email (none without one) in that
      transaction, in the account's language;
    - once committed, the login counters that name the account (its lock and its devices')
      are cleared: the others hold digests only and run out on their own; `account_deleted`
      is reported (Telemetry) without the id or the address: the account is gone.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    freshness: Freshness
    guard: LoginGuard
    telemetry: Telemetry
    default_locale: str = "fr"  # DEFAULT_LOCALE

    async def execute(self, sid: str | None, client: ClientInfo) -> None:
        signed_in = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            user = await uow.users.by_id_for_update(signed_in.id)
            if user is None:  # deleted since the session was read
                raise NotAuthenticated()
            await self.freshness.require(uow, user, sid or "", now)
            change = await uow.email_links.pending(user.id, email_links.CHANGE_EMAIL, now)
            addresses = (user.email, user.phone_number, change.email if change else None)
            await uow.outbox.discard_to([address for address in addresses if address])
            await uow.users.delete(user.id)
            if user.email is not None:
                locale = choose_locale(user.profile.locale, client.accept_language, self.default_locale)
                values = {"when": _when(now)}
                await uow.outbox.enqueue(Message(ACCOUNT_DELETED, "email", user.email, locale, values), now)
            await uow.commit()
        await self.guard.lift_all(user)
        self.telemetry.security("account_deleted", None)


def _when(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M UTC")
