"""Back into an account without its password: a right WhatsApp code gives a resetToken
(POST /auth/verify-phone); a mailed link's token or a resetToken sets a new password
(POST /auth/reset-password)."""

from dataclasses import dataclass

from application.policy import PhoneCodePolicy, ProfilePolicy, RecoveryPolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import Clock, PasswordHasher, TokenMinter
from application.services.account_ownership import hand_over
from application.services.address_limit import AddressLimiter
from application.services.email_links import EmailLinks
from application.services.link_claims import claim_link
from application.services.login_guard import LoginGuard
from application.services.password_replacement import replace_password
from application.services.session_tokens import ClientInfo
from domain import links
from domain.codes import RESET_PASSWORD, CodeCheck
from domain.credentials import check_new_password
from domain.errors import InvalidCode, InvalidToken, TooManyAttempts
from domain.links import LinkToken

RESET_PURPOSES = (links.PASSWORD_RESET, links.RESET_TOKEN)


@dataclass(frozen=True, slots=True)
class VerifyResetCode:
    """Trade the WhatsApp reset code for a resetToken.

    - a per-address limit, shared by every process (429 rate_limited);
    - the code must be the live reset code of the account that has verified this number
      (else 400 invalid_code; an unknown or unverified number answers the same);
    - every try counts, atomically; the try that spends the last of `max_attempts` burns
      the code, as does every try after it (429 too_many_attempts);
    - a right code is used up and gives a single-use resetToken valid `reset_token_ttl`,
      good for a reset only, stored as a digest; both commit together.
    """

    new_uow: UnitOfWorkFactory
    phones: PhoneNumbers
    tokens: TokenMinter
    attempts: AttemptCounter
    clock: Clock
    policy: RecoveryPolicy = RecoveryPolicy()
    code_policy: PhoneCodePolicy = PhoneCodePolicy()
    profile_policy: ProfilePolicy = ProfilePolicy()

    async def execute(self, phone_number: str, code: str, client: ClientInfo) -> str:
        number = self.phones.parse(phone_number, self.profile_policy.phone_region)
        now = self.clock.now()
        await AddressLimiter(self.attempts, "verify-phone-ip", self.policy.per_address).admit(client.ip, now)
        async with self.new_uow() as uow:
            user = await uow.users.by_verified_phone(number)
            if user is None:
                raise InvalidCode()
            check = await uow.phone_codes.check(
                user.id, RESET_PASSWORD, number, self.tokens.digests(code.strip()),
                now, self.code_policy.max_attempts,
            )
            reset_token = None
            if check is CodeCheck.MATCHED:
                reset_token = self.tokens.new_token()
                link = LinkToken(user.id, links.RESET_TOKEN, None, now + self.policy.reset_token_ttl)
                await uow.links.add(self.tokens.digest(reset_token), link, now)
            await uow.commit()  # a wrong try stays counted
        if check is CodeCheck.BURNED:
            raise TooManyAttempts()
        if reset_token is None:
            raise InvalidCode()
        return reset_token


@dataclass(frozen=True, slots=True)
class ResetPassword:
    """Set a new password with a mailed link's token or a resetToken (no session needed).

    - the password follows the policy (400 weak_password) before the token is touched: a
      weak password leaves the token usable;
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
    tokens: TokenMinter
    clock: Clock
    links: EmailLinks
    guard: LoginGuard

    async def execute(self, token: str, password: str, client: ClientInfo) -> None:
        check_new_password(password)
        if not token:
            raise InvalidToken()
        async with self.hasher.reserve():
            await self._reset(token, password, client)

    async def _reset(self, token: str, password: str, client: ClientInfo) -> None:
        digests = self.tokens.digests(token)
        async with self.new_uow() as uow:
            if await uow.links.peek(digests, RESET_PURPOSES, self.clock.now()) is None:
                raise InvalidToken()
        password_hash = await self.hasher.hash(password)
        now = self.clock.now()
        async with self.new_uow() as uow:
            link, user = await claim_link(uow, self.tokens, token, RESET_PURPOSES, now)
            by_email = link.purpose == links.PASSWORD_RESET
            await replace_password(
                uow, self.links, user, password_hash, "password_reset", client, now,
                detail={"via": "email" if by_email else "phone"},
            )
            if by_email and link.email is not None and link.email == user.email:
                await hand_over(uow, user, {"via": "reset_link"}, client, now, password_set_by_proof=True)
            for purpose in RESET_PURPOSES:
                await uow.links.void(user.id, purpose, now)
            await uow.commit()
        await self.guard.lift_all(user)
