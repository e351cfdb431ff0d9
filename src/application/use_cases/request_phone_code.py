"""Proving a phone number: a 6-digit code by WhatsApp, typed back while signed in
(VerifyPhone)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.policy import PhoneCodePolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, CodeGenerator, IdGenerator, TokenMinter
from application.services.address_limit import AddressLimiter, counter_key
from application.services.phone_codes import NUMBER_QUOTA, PhoneCodeSender
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.codes import VERIFY_PHONE
from domain.errors import ChannelNotConfigured, NoPhone, RateLimited
from domain.ownership import require_proven_address

# The per-account quota of verification codes, whatever the numbers they went to.
ACCOUNT_QUOTA = "phone-code-account"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPhoneCode:
    """Send a code to the profile's number (POST /auth/phone/verify/request).

    - without a WhatsApp channel, refused first (503 channel_not_configured): nothing the
      caller does can change it, and nothing is counted or looked up;
    - the account's email must be proven (403 email_not_verified: nothing is added to an
      unproven address), checked first;
    - the profile must have a number (400 no_phone); an already verified one gets a code too
      (harmless: verifying it again changes nothing);
    - a per-address limit, then at most `codes_per_account` codes per account per
      `account_window` whatever the numbers, then at most `codes_per_number` codes per
      number per `number_window`, each counted atomically across processes (429
      rate_limited with Retry-After); a request refused by one is not counted by the next;
    - the code is uniformly random, stored only as a keyed digest, valid `code_ttl`; it
      replaces this account's earlier code, never another account's;
    - the code row and its WhatsApp message commit together, or neither does.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    codes: CodeGenerator
    tokens: TokenMinter
    attempts: AttemptCounter
    clock: Clock
    ids: IdGenerator
    policy: PhoneCodePolicy = PhoneCodePolicy()

    async def execute(self, sid: str | None, client: ClientInfo) -> None:
        if not self.policy.whatsapp:
            raise ChannelNotConfigured()
        user = await self.current_user.require(sid)
        require_proven_address(user)
        if user.phone_number is None:
            raise NoPhone()
        now = self.clock.now()
        await AddressLimiter(self.attempts, "phone-code-ip", self.policy.per_address).admit(client.ip, now)
        policy = self.policy
        await self._count(ACCOUNT_QUOTA, str(user.id), policy.codes_per_account, policy.account_window, now)
        await self._count(NUMBER_QUOTA, user.phone_number, policy.codes_per_number, policy.number_window, now)
        sender = PhoneCodeSender(codes=self.codes, tokens=self.tokens, ids=self.ids, policy=self.policy)
        async with self.new_uow() as uow:
            await sender.send(uow, user, user.phone_number, VERIFY_PHONE, client, now)
            await uow.commit()

    async def _count(self, quota: str, subject: str, limit: int, period: timedelta, now: datetime) -> None:
        window = await self.attempts.hit(counter_key(quota, subject), period, now)
        if window.hits > limit:
            raise RateLimited(window.retry_after(now))
