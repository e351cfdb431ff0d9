from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import BreachedPasswords, Clock, PasswordHasher, TokenMinter
from application.services.email_links import EmailLinks
from application.services.freshness import Freshness
from application.services.new_password import check_new_password
from application.services.password_confirmation import ConfirmPassword
from application.services.password_replacement import replace_password
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword:
    """Change the password while signed in.

    - a session is needed (401);
    - the new password follows the policy (400 weak_password) and appears in no known data
      breach (400 breached_password), checked first: a bad input changes nothing and costs
      no password check;
    - the current password is required when the account has one (400 when missing, 403
      invalid_password when wrong, counted toward the account's lock, 423); an account
      without one (signed in by a provider) sets its first password this way, from a fresh
      session (403 reauth_required, Freshness);
    - every other session of the account is revoked, this one stays signed in;
    - `password_changed` is recorded and the notice sent (email, else a verified number's
      WhatsApp), in the transaction of the change;
    - no database connection is held while the password is hashed;
    - when the bounded queue of password work is full, it answers busy at once, before
      the current password is checked (nothing is counted).
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    breached: BreachedPasswords
    tokens: TokenMinter
    clock: Clock
    confirm: ConfirmPassword
    email_links: EmailLinks
    freshness: Freshness

    async def execute(
        self, sid: str | None, current_password: str | None, new_password: str, client: ClientInfo
    ) -> None:
        user = await self.current_user.require(sid)
        await check_new_password(new_password, self.breached)
        await self.freshness.require_without_password(self.new_uow, user, sid or "", self.clock.now())
        async with self.hasher.reserve():
            await self.confirm.check(user, current_password, "currentPassword")
            password_hash = await self.hasher.hash(new_password)
        now = self.clock.now()
        async with self.new_uow() as uow:
            this_session = await uow.sessions.session_id_by_sid(self.tokens.digests(sid))
            await replace_password(
                uow, self.email_links, user, password_hash, "password_changed", client, now, keep=this_session
            )
            await uow.commit()
