"""Messages to users (emails, WhatsApp codes): written to the outbox inside the use case's
unit of work, so a message leaves only if the change that caused it commits."""

from abc import abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, get_args

# How a message reaches its recipient; infrastructure has one MessageSender per channel.
Channel = Literal["email", "whatsapp"]

# One template per row of the contract's "Messages sent to users".
VERIFY_EMAIL = "verify_email"
EMAIL_CHANGE = "email_change"
EMAIL_CHANGE_NOTICE = "email_change_notice"
PASSWORD_RESET = "password_reset"
PHONE_CODE = "phone_code"
PASSWORD_CHANGED = "password_changed"
NEW_DEVICE = "new_device"
IDENTIFIER_LOCKED = "identifier_locked"
SECOND_FACTOR_CHANGED = "second_factor_changed"
RECOVERY_CODE_USED = "recovery_code_used"
SECOND_STEP_FAILED = "second_step_failed"
ACCOUNT_DELETED = "account_deleted"

# What a SECOND_FACTOR_CHANGED message says changed (its "change" value; the first is the default).
SecondFactorChange = Literal["totp_on", "totp_off", "recovery_codes_renewed", "passkey_added", "passkey_removed"]
SECOND_FACTOR_CHANGES: tuple[SecondFactorChange, ...] = get_args(SecondFactorChange)


@dataclass(frozen=True, slots=True)
class Message:
    template: str
    channel: Channel
    recipient: str  # an email address, or a phone number in E.164
    locale: str  # "fr" or "en" (domain.locales.choose_locale)
    values: Mapping[str, str] = field(default_factory=dict)  # shown as they are (a masked address...)
    secrets: Mapping[str, str] = field(default_factory=dict)  # tokens, codes: encrypted, erased once sent


class Outbox(Protocol):
    @abstractmethod
    async def enqueue(self, message: Message, now: datetime) -> None:
        """Add the message to the current unit of work: it is delivered only if that
        unit of work commits, and never lost once it has."""

    @abstractmethod
    async def discard_to(self, recipients: Collection[str]) -> int:
        """Delete, in the current unit of work, every message addressed to one of `recipients`
        (an erased account's addresses), sent or not: the waiting ones never leave, and
        none is kept; how many there were."""
