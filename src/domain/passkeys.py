"""Passkeys (WebAuthn discoverable credentials) and the challenges of their ceremonies.

Rules:
- a passkey belongs to one account; the authenticator knows that account only by its user
  handle, 64 random bytes made once per account: never the user id, so a credential says
  nothing about the account it signs in to;
- a passkey's name is the authenticator's model when its AAGUID is known, else "Passkey"; a
  name people give is trimmed, 1 to 64 characters;
- signature counter: when the stored count or the new one is non-zero, the new one must be
  greater (a count that does not increase is a cloned authenticator); two zeros mean an
  authenticator that does not count (most synced passkeys), which is accepted;
- a challenge is single use, lives a few minutes (PasskeyPolicy), and is good for its own
  ceremony only (register, login, mfa, reauth).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

USER_HANDLE_BYTES = 64
DEFAULT_PASSKEY_NAME = "Passkey"
MAX_PASSKEY_NAME = 64


class ChallengePurpose(Enum):
    REGISTER = "register"
    LOGIN = "login"
    MFA = "mfa"
    REAUTH = "reauth"


@dataclass(frozen=True, slots=True)
class Passkey:
    """A credential an authenticator made for an account, and what it said of itself."""

    id: UUID
    user_id: UUID
    credential_id: bytes
    public_key: bytes  # COSE_Key, as the authenticator gave it
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backed_up: bool
    aaguid: str  # "00000000-0000-0000-0000-000000000000" when the authenticator does not say
    name: str
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebAuthnChallenge:
    """What the server keeps of a ceremony's challenge. `user_id` is the account it is for
    (None for a discoverable login, where the credential names the account); `binding` is
    the digest of what ties it to its asker (a browser cookie's value, a session)."""

    challenge: bytes
    purpose: ChallengePurpose
    binding: bytes
    created_at: datetime
    expires_at: datetime
    user_id: UUID | None = None

    def is_open(self, now: datetime) -> bool:
        return now < self.expires_at


def new_challenge(
    challenge: bytes, purpose: ChallengePurpose, binding: bytes, now: datetime, user_id: UUID | None,
    ttl: timedelta,
) -> WebAuthnChallenge:
    """A challenge for one ceremony, open for `ttl` (PasskeyPolicy.challenge_ttl)."""
    return WebAuthnChallenge(challenge, purpose, binding, now, now + ttl, user_id)


def sign_count_accepted(stored: int, received: int) -> bool:
    """False when the counter did not go forward (a cloned authenticator), unless neither
    counts (both zero)."""
    if stored == 0 and received == 0:
        return True
    return received > stored


def passkey_name(aaguid: str, known_models: dict[str, str]) -> str:
    """The authenticator's model when its AAGUID is known, else "Passkey"."""
    return known_models.get(aaguid.lower(), DEFAULT_PASSKEY_NAME)


def normalize_passkey_name(typed: str) -> str | None:
    """A name people give, trimmed; None when empty or longer than 64 characters."""
    name = " ".join(typed.split())
    return name if 0 < len(name) <= MAX_PASSKEY_NAME else None
