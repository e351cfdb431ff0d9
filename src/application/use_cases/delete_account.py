from dataclasses import dataclass
from datetime import datetime

from application.ports.messages import ACCOUNT_DELETED, Message
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock
from application.ports.telemetry import Telemetry
from application.services.freshness import Freshness
from application.services.login_guard import LoginGuard
from application.use_cases.get_current_user import GetCurrentUser
from domain import email_links
from domain.clients import ClientInfo
from domain.errors import NotAuthenticated
from domain.locales import choose_locale
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAccount:
    """Erase the signed-in account (DELETE /auth/account).

    - a session is needed (401), and a fresh one (403 reauth_required, Freshness), asked
      first; decided under a lock on the user's row, so that no other change of the account
      runs meanwhile;
    - in one transaction: every message to the account's addresses is deleted, sent or not
      (what waits never leaves): its email, its phone number and the address of a pending
      email change, each unless another account holds it (a number another account verified,
      an address another account took since: their messages are that account's);
    - then the user and all that refers to it (UserRepository.delete: profile, linked
      accounts and their tokens, sessions with their sids and refresh tokens, passkeys and
      the user handle, TOTP, recovery codes, challenges, pending links, provider flows, email
      links, phone codes and security events); its email, username and number are free at once;
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
            await uow.outbox.discard_to(await _addresses_of(uow, user, now))
            await uow.users.delete(user.id)
            if user.email is not None:
                locale = choose_locale(user.profile.locale, client.accept_language, self.default_locale)
                values = {"when": _when(now)}
                await uow.outbox.enqueue(Message(ACCOUNT_DELETED, "email", user.email, locale, values), now)
            await uow.commit()
        await self.guard.lift_all(user)
        self.telemetry.security("account_deleted", None)


async def _addresses_of(uow: UnitOfWork, user: User, now: datetime) -> list[str]:
    """Where the account's messages went, but the addresses another account holds."""
    addresses = [user.email] if user.email else []
    if user.phone_number:
        holder = await uow.users.by_verified_phone(user.phone_number)
        if holder is None or holder.id == user.id:
            addresses.append(user.phone_number)
    change = await uow.email_links.pending(user.id, email_links.CHANGE_EMAIL, now)
    if change is not None and change.email and await uow.users.by_email(change.email) is None:
        addresses.append(change.email)
    return addresses


def _when(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M UTC")
