"""Back into an account without its password: a right WhatsApp code gives a resetToken
(POST /auth/verify-phone), which sets a new password like a mailed link (ResetPassword)."""

from dataclasses import dataclass

from application.policy import PhoneCodePolicy, ProfilePolicy, RecoveryPolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import Clock, TokenMinter
from application.services.address_limit import AddressLimiter
from domain import email_links
from domain.clients import ClientInfo
from domain.codes import RESET_PASSWORD, CodeCheck
from domain.errors import InvalidCode, TooManyAttempts
from domain.email_links import EmailLink


@dataclass(frozen=True, slots=True, kw_only=True)
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
                expires_at = now + self.policy.reset_token_ttl
                email_link = EmailLink(user.id, email_links.RESET_TOKEN, None, expires_at)
                await uow.email_links.add(self.tokens.digest(reset_token), email_link, now)
            await uow.commit()  # a wrong try stays counted
        if check is CodeCheck.BURNED:
            raise TooManyAttempts()
        if reset_token is None:
            raise InvalidCode()
        return reset_token
