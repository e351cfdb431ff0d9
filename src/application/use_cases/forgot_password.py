"""POST /auth/forgot-password: a reset link by email, or a reset code by WhatsApp.

Nothing an anonymous caller sees may tell whether an account exists. The answer (202) is
the same for every well-formed request; so is its time, by construction rather than by
padding: `admit` does only what is the same for every request (read the input, count the
address), the answer leaves, and `deliver` does the account's work afterwards (the web
layer runs it as a background task once the response is sent). Looking the account up,
counting its quotas, minting the token and writing the outbox (writes an unknown account
never gets) are therefore never on the answer's path. The quotas are silent for the same
reason: a held-back message answers like a sent one.
"""

from dataclasses import dataclass
from datetime import datetime

from application.policy import PhoneCodePolicy, ProfilePolicy, RecoveryPolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import Clock, CodeGenerator, IdGenerator, TokenMinter
from application.services.address_limit import AddressLimiter, counter_key
from application.services.email_links import EmailLinks
from application.services.phone_codes import NUMBER_QUOTA, PhoneCodeSender
from domain.clients import ClientInfo
from domain.codes import RESET_PASSWORD
from domain.credentials import normalize_email
from domain.errors import ChannelNotConfigured, InvalidInput
from domain.users import User


@dataclass(frozen=True, slots=True)
class RecoveryRequest:
    """A well-formed, admitted request: exactly one of the two is set."""

    email: str | None = None
    phone_number: str | None = None  # E.164


@dataclass(frozen=True, slots=True, kw_only=True)
class ForgotPassword:
    """Send the means to choose a new password.

    - exactly one of email and phoneNumber (400 otherwise; "" is not given); the email is
      normalized, the number read for DEFAULT_PHONE_REGION (400 when invalid);
    - by phone without a WhatsApp channel: 503 channel_not_configured for any phoneNumber,
      before the number is read or anything looked up (so it tells nothing of accounts);
    - a per-address limit, shared by every process (429 rate_limited: the only visible one);
    - by email: a single-use link (EmailLinkPolicy.reset_link_ttl), also to an account with
      no password (a provider-only user may set one this way);
    - by phone: a WhatsApp code (random digits from `secrets`, PhoneCodePolicy), only to a
      number its account has verified: an unverified number may be a typo, owned by somebody else;
    - at most `messages_per_account` reset messages per account per `account_window`, and the
      per-number quota of WhatsApp codes shared with phone verification: both silent;
    - the answer and its timing are the same whether or not the account exists (see module).
    """

    new_uow: UnitOfWorkFactory
    phones: PhoneNumbers
    codes: CodeGenerator
    tokens: TokenMinter
    attempts: AttemptCounter
    clock: Clock
    ids: IdGenerator
    email_links: EmailLinks
    policy: RecoveryPolicy = RecoveryPolicy()
    code_policy: PhoneCodePolicy = PhoneCodePolicy()
    profile_policy: ProfilePolicy = ProfilePolicy()

    async def admit(self, email: str | None, phone_number: str | None, client: ClientInfo) -> RecoveryRequest:
        """The part the answer waits for: the same work for every account, known or not."""
        if bool(email) == bool(phone_number):
            field = "phoneNumber" if email else "email"
            raise InvalidInput(field, "give either email or phoneNumber, not both" if email
                               else "give email or phoneNumber")
        if phone_number and not self.code_policy.whatsapp:
            raise ChannelNotConfigured()
        if email:
            request = RecoveryRequest(email=normalize_email(email))
        else:
            number = self.phones.parse(phone_number, self.profile_policy.phone_region)
            request = RecoveryRequest(phone_number=number)
        await AddressLimiter(self.attempts, "forgot-password-ip", self.policy.per_address).admit(
            client.ip, self.clock.now()
        )
        return request

    async def deliver(self, request: RecoveryRequest, client: ClientInfo) -> None:
        """The account's part, after the answer: send the link or the code, or nothing."""
        async with self.new_uow() as uow:
            user = (
                await uow.users.by_email(request.email) if request.email
                else await uow.users.by_verified_phone(request.phone_number)
            )
        now = self.clock.now()
        if user is None or not await self._within_quotas(user, request, now):
            return
        async with self.new_uow() as uow:
            if request.email:
                await self.email_links.send_password_reset(uow, user, client, now)
            else:
                sender = PhoneCodeSender(
                    codes=self.codes, tokens=self.tokens, ids=self.ids, policy=self.code_policy,
                )
                await sender.send(uow, user, request.phone_number, RESET_PASSWORD, client, now)
            await uow.commit()

    async def _within_quotas(self, user: User, request: RecoveryRequest, now: datetime) -> bool:
        account = await self.attempts.hit(
            counter_key("reset-account", str(user.id)), self.policy.account_window, now
        )
        if account.hits > self.policy.messages_per_account:
            return False
        if request.phone_number is None:
            return True
        number = await self.attempts.hit(
            counter_key(NUMBER_QUOTA, request.phone_number), self.code_policy.number_window, now
        )
        return number.hits <= self.code_policy.codes_per_number
