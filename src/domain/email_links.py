"""Email links: single-use links sent by email to prove an address, confirm an email change,
reset a password, lift a lock or say "not you?". The token travels in the link; only its keyed
digest is stored. The resetToken a right WhatsApp code gives is kept as one too (purpose
reset_token): the same single use, by the same store."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

# Purposes: a token is good for its own purpose only.
VERIFY_EMAIL = "verify_email"
CHANGE_EMAIL = "email_change"
SECURE_ACCOUNT = "secure_account"
PASSWORD_RESET = "password_reset"  # the mailed "choose a new password" link
RESET_TOKEN = "reset_token"  # given for a right WhatsApp reset code: the phone's way to a reset
UNLOCK = "unlock"  # mailed when failed logins lock the account: lifts the lock


@dataclass(frozen=True, slots=True)
class EmailLink:
    """What the server keeps of an email link (its token aside)."""

    user_id: UUID
    purpose: str
    # The address the link proves (verification, change), or the one a "not you?" notice
    # went to (what the account goes back to); None otherwise.
    email: str | None
    expires_at: datetime
    issued_at: datetime | None = None  # when it was minted: a "not you?" link undoes what came after


def mask_email(email: str) -> str:
    """`n***@example.com`: enough for the owner to recognise, too little to harvest."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"
