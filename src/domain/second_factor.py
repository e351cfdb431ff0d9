"""The second step of a sign-in, and how fresh a session's sign-in is.

A first factor (a password, a provider) that is right for an account with TOTP on opens no
session: it opens a challenge, carried by an `mfa_challenge` cookie whose digest alone is
stored. The challenge is single use, short-lived, and burned by too many wrong answers; it
remembers what completes on success (how the person signed in, a pending link to attach, the
lock counter the first factor was counted under).

A session remembers when the sign-in it descends from happened (a refresh keeps it;
re-authenticating moves it): sensitive actions need that to be recent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from domain.users import User

TOTP = "totp"
RECOVERY_CODE = "recovery_code"
PASSKEY = "passkey"
PASSWORD = "password"


@dataclass(frozen=True, slots=True)
class TotpState:
    """An account's TOTP secret: pending from setup until a first code confirms it."""

    secret: bytes
    confirmed_at: datetime | None = None
    last_step: int | None = None  # the last step accepted: it and earlier ones are replays

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True, slots=True)
class MfaChallenge:
    """What the server keeps of a second-step challenge (its cookie's value aside)."""

    digest: bytes
    user_id: UUID
    method: str  # how the first factor signed in: "password" or the provider's name
    lock_key: str  # the attempt counter the first factor was counted under
    created_at: datetime
    expires_at: datetime
    wrong_answers: int = 0
    pending_link_digest: bytes | None = None  # a pending link that attaches on success

    def is_open(self, now: datetime, max_wrong: int) -> bool:
        return now < self.expires_at and self.wrong_answers < max_wrong


class StepVerdict(Enum):
    PASSED = "passed"  # right: the challenge is used up and the session opens
    WRONG = "wrong"  # wrong, answers are left
    BURNED = "burned"  # wrong, and it took the last answer: the challenge is dead
    EXPIRED = "expired"  # past its life, or burned before: sign in again


def judge_second_step(challenge: MfaChallenge, right: bool, now: datetime, max_wrong: int) -> StepVerdict:
    """The verdict on one answer to a challenge, read under its row lock."""
    if not challenge.is_open(now, max_wrong):
        return StepVerdict.EXPIRED
    if right:
        return StepVerdict.PASSED
    if challenge.wrong_answers + 1 >= max_wrong:
        return StepVerdict.BURNED
    return StepVerdict.WRONG


def second_step_methods(totp: TotpState | None, passkeys: int = 0) -> list[str]:
    """What may answer the second step of this account (empty: it has none). The second step
    is TOTP's: without it on there is none, however many passkeys the account has (a passkey
    signs in on its own); with it on, a passkey may answer it too."""
    if totp is None or not totp.enabled:
        return []
    return [TOTP, RECOVERY_CODE] + ([PASSKEY] if passkeys else [])


def is_fresh(signed_in_at: datetime, now: datetime, max_age: timedelta) -> bool:
    """A sign-in within `max_age` makes a session fresh enough for a sensitive action."""
    return now - signed_in_at <= max_age


def reauth_methods(user: User, totp: TotpState | None, passkeys: int = 0) -> list[str]:
    """How this account can prove itself again: its password, its TOTP, its passkeys, its
    providers (by name)."""
    methods = [PASSWORD] if user.has_password else []
    if totp is not None and totp.enabled:
        methods.append(TOTP)
    if passkeys:
        methods.append(PASSKEY)
    return methods + list(user.providers)
