"""The "not you?" link of a change notice (POST /auth/secure-account): shut out whoever
changed the account, so that only the mailbox owner gets back in, through recovery."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.use_cases.link_claims import claim_link
from application.use_cases.session_tokens import ClientInfo
from domain import links


@dataclass(frozen=True, slots=True)
class SecureAccount:
    """Lock out whoever else is in the account, with a "not you?" token.

    - the token must be unused, unexpired and of purpose secure_account (400 invalid_token);
      it is claimed atomically and used up: of two uses, one wins;
    - every session of the account is revoked and its password removed, in one transaction;
      `account_secured` and `password_removed` are recorded with it;
    - the owner gets back in through /auth/forgot-password (or a provider), which only the
      mailbox (or verified phone, or provider) owner can use.
    """

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock

    async def execute(self, token: str, client: ClientInfo) -> None:
        now = self.clock.now()
        async with self.new_uow() as uow:
            _, user = await claim_link(uow, self.tokens, token, (links.SECURE_ACCOUNT,), now)
            await uow.users.set_password_hash(user.id, None)
            await uow.sessions.revoke_all_for_user(user.id, now, "account_secured")
            for kind in ("account_secured", "password_removed"):
                await uow.events.record(user.id, kind, {}, now, client.ip, client.user_agent)
            await uow.commit()
