"""The account's security activity: what happened to it, when, and from where."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

MAX_EVENTS = 200  # one page of /auth/events at most
DEFAULT_EVENTS = 50

# The kinds of the contract (API.md, "Security activity"), and only those: a use case can
# record nothing else (SecurityEvent refuses it), and /auth/events documents this list.
EventKind = Literal[
    "signed_in", "signed_in_new_device", "signed_out", "refresh_reuse_detected",
    "session_revoked", "password_changed", "password_reset", "password_removed",
    "email_verified", "email_change_requested", "email_changed", "phone_verified",
    "provider_linked", "provider_unlinked", "account_locked", "account_unlocked",
    "account_secured", "mfa_enabled", "mfa_disabled", "mfa_failed", "recovery_code_used",
    "recovery_codes_regenerated", "passkey_added", "passkey_removed", "reauthenticated",
]
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))

# Kinds that older versions stored, and the contract kind each one is read as.
LEGACY_KINDS: dict[str, EventKind] = {"email_verified_by_provider": "email_verified"}


def stored_kind(kind: str) -> EventKind | None:
    """The contract kind of a stored row's kind, or None for a kind no version recorded."""
    if kind in EVENT_KINDS:
        return kind
    return LEGACY_KINDS.get(kind)


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    kind: EventKind
    created_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    detail: dict = field(default_factory=dict)  # never a secret

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"{self.kind!r} is not a security event kind of the contract")
