"""Short numeric codes sent by WhatsApp: one account, one number, one purpose each."""

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

VERIFY_PHONE = "verify_phone"
RESET_PASSWORD = "reset_password"  # a code that opens a password reset (POST /auth/verify-phone)
CODE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class PhoneCode:
    """A code as stored: its digest, never the code itself."""

    id: UUID
    user_id: UUID
    purpose: str
    phone_number: str  # E.164: the number the code was sent to
    digest: bytes
    created_at: datetime
    expires_at: datetime


class CodeCheck(enum.Enum):
    """What one try of a code found (each try is counted, right or wrong)."""

    MATCHED = "matched"  # right, live: now used up
    WRONG = "wrong"  # wrong, tries are left
    BURNED = "burned"  # the tries are spent (this one took the last): the code is dead
    NO_CODE = "no_code"  # none live for this account, number and purpose (expired, used, never sent)
