from dataclasses import dataclass

from application.policy import EmailLinkPolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock
from application.services.address_limit import counter_key
from application.services.email_links import EmailLinks
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import RateLimited


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestEmailVerification:
    """Send a new verification link to the signed-in user's current address.

    - a session is needed;
    - at most `policy.requests` asks per account per `policy.window` (429 beyond), counted
      atomically and before anything else, so the answer says nothing about the address;
    - nothing is sent when the address is already verified, or when there is none.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    attempts: AttemptCounter
    email_links: EmailLinks
    policy: EmailLinkPolicy = EmailLinkPolicy()

    async def execute(self, sid: str | None, client: ClientInfo) -> None:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        key = counter_key("verify-email-request", str(user.id))
        window = await self.attempts.hit(key, self.policy.window, now)
        if window.hits > self.policy.requests:
            raise RateLimited(window.retry_after(now))
        if user.email is None or user.email_verified:
            return
        async with self.new_uow() as uow:
            await self.email_links.send_verification(uow, user, client, now)
            await uow.commit()
