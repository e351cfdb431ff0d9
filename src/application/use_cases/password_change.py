"""A new password, by a signed-in user (POST /auth/password/change); and what every new
password brings, by change or by reset (replace_password)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, PasswordHasher, TokenMinter
from application.use_cases.current_user import GetCurrentUser
from application.use_cases.email_links import EmailLinks
from application.use_cases.password_confirmation import ConfirmPassword
from application.use_cases.session_tokens import ClientInfo
from domain.activity import EventKind
from domain.credentials import check_new_password
from domain.users import User


async def replace_password(
    uow: UnitOfWork, links: EmailLinks, user: User, password_hash: str, kind: EventKind,
    client: ClientInfo, now: datetime, keep: UUID | None = None, detail: dict | None = None,
) -> None:
    """Set the hash and revoke every session but `keep` (whoever had the old password may
    hold one), record `kind` with the client's ip and user agent and send the "password changed" notice with its "not you?"
    link, all in the caller's unit of work."""
    await uow.users.set_password_hash(user.id, password_hash)
    await uow.sessions.revoke_all_for_user(user.id, now, kind, keep=keep)
    await uow.events.record(user.id, kind, detail or {}, now, client.ip, client.user_agent)
    await links.send_password_changed(uow, user, client, now)


@dataclass(frozen=True, slots=True)
class ChangePassword:
    """Change the password while signed in.

    - a session is needed (401);
    - the new password follows the policy (400 weak_password), checked first: a bad input
      changes nothing and costs no password check;
    - the current password is required when the account has one (400 when missing, 403
      invalid_password when wrong, counted toward the account's lock, 423); an account
      without one (signed in by a provider) sets its first password this way;
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
    tokens: TokenMinter
    clock: Clock
    confirm: ConfirmPassword
    links: EmailLinks

    async def execute(
        self, sid: str | None, current_password: str | None, new_password: str, client: ClientInfo
    ) -> None:
        user = await self.current_user.require(sid)
        check_new_password(new_password)
        async with self.hasher.reserve():
            await self.confirm.check(user, current_password, "currentPassword")
            password_hash = await self.hasher.hash(new_password)
        now = self.clock.now()
        async with self.new_uow() as uow:
            this_session = await uow.sessions.session_id_by_sid(self.tokens.digests(sid))
            await replace_password(
                uow, self.links, user, password_hash, "password_changed", client, now, keep=this_session
            )
            await uow.commit()
