"""Self-service unlock: a lock failed logins set on an account (on unknown browsers, or on
one of its devices) reaches its owner as an unlock link (LockNotice); opening it lifts every
lock of the account (POST /auth/unlock, UnlockAccount). The locks stay as strong against
guessing; they just no longer shut the owner out."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.email_link_claims import claim_email_link
from application.services.login_guard import LoginGuard
from domain import email_links
from domain.clients import ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlockAccount:
    """Lift an account's login lock with the token of its unlock link.

    - the token must be unused, unexpired and of purpose unlock (400 invalid_token); it is
      claimed atomically and used up;
    - every failure count of the account is cleared, its own (unknown browsers) and each of
      its devices' (LoginGuard.lift_all), so its locks are gone in every process;
      `account_unlocked` is recorded, and reported as a security event (Telemetry).
    """

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    guard: LoginGuard
    telemetry: Telemetry

    async def execute(self, token: str, client: ClientInfo) -> None:
        now = self.clock.now()
        async with self.new_uow() as uow:
            _, user = await claim_email_link(uow, self.tokens, token, (email_links.UNLOCK,), now)
            await uow.events.record(user.id, "account_unlocked", {}, now, client)
            await uow.commit()
        await self.guard.lift_all(user)
        self.telemetry.security("account_unlocked", client.ip, user.id)
