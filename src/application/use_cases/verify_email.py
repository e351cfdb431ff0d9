"""Proving an email address, and switching to a new one, by the links of services.email_links."""

from dataclasses import dataclass
from datetime import datetime

from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.account_ownership import void_old_email_links
from application.services.email_links import CONFIRMED, EmailLinks
from application.services.email_link_claims import claim_email_link
from domain import email_links
from domain.clients import ClientInfo
from domain.errors import EmailTaken, InvalidToken
from domain.email_links import EmailLink, mask_email
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyEmail:
    """Open a link from an email (no session needed: it may be opened on another device).

    - the token works once, within its lifetime, and only if it is a verification or an
      email-change token (a "not you?" token is refused like an unknown one: 400);
    - a verification link proves the address it was sent to, and only while the account
      still has that address;
    - a change link makes its address the account's email, verified; the old address gets a
      notice with a "not you?" link, and the reset and verification links mailed to the old
      address stop working. If another account has taken the address meanwhile,
      409 email_taken and nothing changes (the link stays unused);
    - the token's use, the change, its event (`email_verified` or `email_changed`, with the
      ip and user agent of whoever opened the link) and the notice commit together.
    """

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    email_links: EmailLinks

    async def execute(self, token: str, client: ClientInfo) -> User:
        now = self.clock.now()
        purposes = (email_links.VERIFY_EMAIL, email_links.CHANGE_EMAIL)
        async with self.new_uow() as uow:
            email_link, user = await claim_email_link(uow, self.tokens, token, purposes, now)
            if email_link.email is None:
                raise InvalidToken()
            if email_link.purpose == email_links.CHANGE_EMAIL and email_link.email != user.email:
                await self._switch(uow, user, email_link, client, now)
            elif email_link.email == user.email:
                await uow.users.mark_email_verified(user.id, now, via="link")
                await uow.events.record(user.id, "email_verified", {}, now, client)
            else:  # a verification link for an address the account no longer has
                raise InvalidToken()
            verified = await uow.users.by_id(user.id)
            await uow.commit()
        assert verified is not None
        return verified

    async def _switch(
        self, uow: UnitOfWork, user: User, email_link: EmailLink, client: ClientInfo, now: datetime
    ) -> None:
        new_email = email_link.email
        assert new_email is not None
        holder = await uow.users.by_email(new_email)
        if holder is not None and holder.id != user.id:
            raise EmailTaken()
        await uow.users.change_email(user.id, new_email, now)  # the unique index decides races
        await void_old_email_links(uow, user.id, now)
        await self.email_links.send_change_notice(uow, user, new_email, CONFIRMED, client, now)
        await uow.events.record(user.id, "email_changed", {"newEmail": mask_email(new_email)}, now, client)
