"""Back into an account without its password: a mailed link's token, or the resetToken a right
WhatsApp code gave (VerifyResetCode), sets a new password (POST /auth/reset-password)."""

from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import BreachedPasswords, Clock, PasswordHasher, TokenMinter
from application.services.account_ownership import hand_over
from application.services.email_links import EmailLinks
from application.services.email_link_claims import claim_email_link
from application.services.login_guard import LoginGuard
from application.services.new_password import check_new_password
from application.services.password_replacement import replace_password
from domain import email_links
from domain.clients import ClientInfo
from domain.errors import InvalidToken

RESET_PURPOSES = (email_links.PASSWORD_RESET, email_links.RESET_TOKEN)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetPassword:
    """Set a new password with a mailed link's token or a resetToken (no session needed).

    - the password follows the policy (400 weak_password) and appears in no known data
      breach (400 breached_password) before the token is touched: a refused password leaves
      the token usable;
    - the token must be unused, unexpired and of a reset purpose (400 invalid_token); it is
      claimed atomically (of two resets with one token, one wins) and used up;
    - no database connection is held while the password is hashed, and no hashing is spent
      on a token that is not live (a look first; only the claim decides);
    - every session of the account is revoked; `password_reset` is recorded; the notice
      goes out; a link that came by email (to the account's current address) also proves
      that address: if it was unproven, its prover gets the account back whole
      (account_ownership.hand_over: other providers, phone number go; `email_verified`, via
      reset_link); the events have the ip and user agent of the client that reset; the
      account's other reset links and tokens die;
    - the account's login locks are lifted (its devices' too): the owner just proved control
      of its email or phone, which is what the locks protect (an attacker able to do that
      needs no guess);
    - when the bounded queue of password work is full, it answers busy at once (the token
      stays usable).
    """

    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    breached: BreachedPasswords
    tokens: TokenMinter
    clock: Clock
    email_links: EmailLinks
    guard: LoginGuard

    async def execute(self, token: str, password: str, client: ClientInfo) -> None:
        await check_new_password(password, self.breached)
        if not token:
            raise InvalidToken()
        async with self.hasher.reserve():
            await self._reset(token, password, client)

    async def _reset(self, token: str, password: str, client: ClientInfo) -> None:
        digests = self.tokens.digests(token)
        async with self.new_uow() as uow:
            if await uow.email_links.peek(digests, RESET_PURPOSES, self.clock.now()) is None:
                raise InvalidToken()
        password_hash = await self.hasher.hash(password)
        now = self.clock.now()
        async with self.new_uow() as uow:
            email_link, user = await claim_email_link(uow, self.tokens, token, RESET_PURPOSES, now)
            by_email = email_link.purpose == email_links.PASSWORD_RESET
            await replace_password(
                uow, self.email_links, user, password_hash, "password_reset", client, now,
                detail={"via": "email" if by_email else "phone"},
            )
            if by_email and email_link.email is not None and email_link.email == user.email:
                await hand_over(uow, user, {"via": "reset_link"}, client, now, password_set_by_proof=True)
            for purpose in RESET_PURPOSES:
                await uow.email_links.void(user.id, purpose, now)
            await uow.commit()
        await self.guard.lift_all(user)
