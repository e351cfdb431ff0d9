"""The "not you?" link of a notice (POST /auth/secure-account): give the account back to the
mailbox owner whole, and shut out whoever changed it, so that only that owner gets back in."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.account_ownership import take_back
from application.services.email_link_claims import claim_email_link
from domain import email_links
from domain.clients import ClientInfo
from domain.ownership import Undo, undo_since


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureAccount:
    """Undo what an intruder added and lock him out, with a "not you?" token.

    - the token must be unused, unexpired and of purpose secure_account (400 invalid_token);
      it is claimed atomically and used up: of two uses, one wins;
    - every sign-in method and recovery channel added since the event the link was mailed
      for is undone (domain.ownership.undo_since): providers linked since are unlinked, a
      phone number set or verified since is removed, passkeys added since are removed (older
      ones stay), TOTP turned on since is turned off
      (its recovery codes with it), a pending email change is cancelled
      (its link stops working) and a completed one is reverted to the address the notice
      went to, verified by this click;
    - then every session of the account is revoked and its password removed;
    - all in one transaction, with one `account_secured` event whose detail lists what was
      undone, and `password_removed`; the answer says what was undone; once committed,
      `account_secured` is reported as a security event (Telemetry);
    - the owner gets back in through /auth/forgot-password (or a provider), which only the
      mailbox (or verified phone, or provider) owner can use.
    """

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    telemetry: Telemetry

    async def execute(self, token: str, client: ClientInfo) -> Undo:
        now = self.clock.now()
        async with self.new_uow() as uow:
            purposes = (email_links.SECURE_ACCOUNT,)
            email_link, user = await claim_email_link(uow, self.tokens, token, purposes, now)
            since = email_link.issued_at or now
            accounts = await uow.linked_accounts.for_user(user.id)
            plan = undo_since(
                user, accounts, since, email_link.email, await uow.totp.get(user.id),
                await uow.passkeys.for_user(user.id),
            )
            undone = await take_back(uow, user, plan, now)
            await uow.users.set_password_hash(user.id, None)
            revoked = await uow.sessions.revoke_all_for_user(user.id, now, "account_secured")
            detail = {**undone.detail(), "sessionsRevoked": revoked}
            await uow.events.record(user.id, "account_secured", detail, now, client)
            await uow.events.record(user.id, "password_removed", {}, now, client)
            await uow.commit()
        self.telemetry.security("account_secured", client.ip, user.id)
        return undone
