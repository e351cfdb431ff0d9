from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, PasswordHasher
from application.services.email_links import REQUESTED, EmailLinks
from application.services.freshness import Freshness
from application.services.login_guard import LoginGuard
from application.services.password_confirmation import ConfirmPassword
from application.use_cases.get_current_user import GetCurrentUser
from domain import email_links
from domain.clients import ClientInfo
from domain.credentials import normalize_email
from domain.errors import EmailTaken, InvalidInput
from domain.email_links import mask_email


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestEmailChange:
    """Ask to move the account to a new address; it moves only when the link sent there
    is opened (VerifyEmail).

    - a session is needed;
    - the address is normalized, must differ from the current one and belong to no account;
    - an account with a password must give it again (400 when missing, 403 when wrong),
      checked off the event loop and counted with the login's failures (a stolen session
      does not get unlimited guesses: the account locks, 423); an account without one
      (signed in by a provider) gives none but needs a fresh session instead (403
      reauth_required, Freshness): this is also how an account with no email adds one;
    - the newest request wins: earlier change links stop working;
    - the link to the new address, the notice to the old one (if any) and the event commit
      together.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    email_links: EmailLinks
    guard: LoginGuard
    freshness: Freshness

    async def execute(self, sid: str | None, email: str, password: str | None, client: ClientInfo) -> None:
        user = await self.current_user.require(sid)
        new_email = normalize_email(email)
        if new_email == user.email:
            raise InvalidInput("email", "is already the account's email")
        await self.freshness.require_without_password(self.new_uow, user, sid or "", self.clock.now())
        confirm = ConfirmPassword(hasher=self.hasher, guard=self.guard, clock=self.clock)
        async with self.hasher.reserve():  # busy at once when the password work is full
            await confirm.check(user, password, "password")
        now = self.clock.now()
        async with self.new_uow() as uow:
            if await uow.users.by_email(new_email) is not None:
                raise EmailTaken()
            await uow.email_links.void(user.id, email_links.CHANGE_EMAIL, now)
            await self.email_links.send_change(uow, user, new_email, client, now)
            await self.email_links.send_change_notice(uow, user, new_email, REQUESTED, client, now)
            await uow.events.record(
                user.id, "email_change_requested", {"newEmail": mask_email(new_email)}, now, client
            )
            await uow.commit()
