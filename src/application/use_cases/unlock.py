"""Self-service unlock: a lock failed logins set on an account (on unknown browsers, or on
one of its devices) reaches its owner as an unlock link (LockNotice); opening it lifts every
lock of the account (POST /auth/unlock, UnlockAccount). The locks stay as strong against
guessing; they just no longer shut the owner out."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.ports.telemetry import Telemetry
from application.use_cases.email_links import EmailLinks
from application.use_cases.link_claims import claim_link
from application.use_cases.login_guard import LoginGuard
from application.use_cases.session_tokens import ClientInfo
from domain import links
from domain.users import User


@dataclass(frozen=True, slots=True)
class LockNotice:
    """Told by the login of the one failed attempt that set a lock (so once per lock: the
    account's lock on unknown browsers and each device's own lock are separate locks).

    - `account_locked` is recorded for the account;
    - an account with an email gets one IDENTIFIER_LOCKED email with an unlock link
      (purpose unlock, 1 h, stored as a digest), enqueued in the same unit of work;
    - an unknown identifier has no account: the caller sends nothing for it.
    """

    new_uow: UnitOfWorkFactory
    links: EmailLinks
    clock: Clock

    async def send(self, user: User, client: ClientInfo) -> None:
        now = self.clock.now()
        async with self.new_uow() as uow:
            await uow.events.record(user.id, "account_locked", {}, now, client.ip, client.user_agent)
            if user.email is not None:
                await self.links.send_unlock(uow, user, client, now)
            await uow.commit()


@dataclass(frozen=True, slots=True)
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
            _, user = await claim_link(uow, self.tokens, token, (links.UNLOCK,), now)
            await uow.events.record(user.id, "account_unlocked", {}, now, client.ip, client.user_agent)
            await uow.commit()
        await self.guard.lift_all(user)
        self.telemetry.security("account_unlocked", client.ip, user.id)
