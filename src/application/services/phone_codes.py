"""Sending a WhatsApp code, for any purpose (a phone's verification, a password reset)."""

from dataclasses import dataclass
from datetime import datetime

from application.policy import PhoneCodePolicy
from application.ports.messages import PHONE_CODE, Message
from application.ports.persistence import UnitOfWork
from application.ports.security import CodeGenerator, IdGenerator, TokenMinter
from domain.clients import ClientInfo
from domain.codes import PhoneCode
from domain.locales import choose_locale
from domain.users import User

# The per-number quota of WhatsApp codes, shared by every purpose (verification, reset).
NUMBER_QUOTA = "phone-code-number"


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneCodeSender:
    """A new code for one account, number and purpose: stored as its keyed digest (replacing
    the account's earlier code of that purpose) and enqueued for WhatsApp, in the caller's
    unit of work, so both commit or neither does."""

    codes: CodeGenerator
    tokens: TokenMinter
    ids: IdGenerator
    policy: PhoneCodePolicy = PhoneCodePolicy()

    async def send(
        self, uow: UnitOfWork, user: User, phone_number: str, purpose: str, client: ClientInfo, now: datetime
    ) -> None:
        code = self.codes.new_code()
        await uow.phone_codes.add(PhoneCode(
            id=self.ids.new_id(), user_id=user.id, purpose=purpose, phone_number=phone_number,
            digest=self.tokens.digest(code), created_at=now, expires_at=now + self.policy.code_ttl,
        ), now)
        locale = choose_locale(user.profile.locale, client.accept_language, self.policy.default_locale)
        message = Message(PHONE_CODE, "whatsapp", phone_number, locale, secrets={"code": code})
        await uow.outbox.enqueue(message, now)
