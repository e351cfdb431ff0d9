from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.identities import ProviderIdentity


@dataclass(frozen=True, slots=True)
class ProviderFlow:
    """A sign-in started at a provider: single use, bound to one browser, short-lived."""

    state_digest: bytes
    browser_digest: bytes
    provider: str
    nonce: str
    code_verifier: str
    created_at: datetime
    expires_at: datetime
    redirect_path: str | None = None
    link_user_id: UUID | None = None
    reauth: bool = False  # re-authenticating link_user_id's session, not signing in


@dataclass(frozen=True, slots=True)
class PendingLink:
    """A provider identity whose email an account already has, waiting for that account's
    owner to prove it with the password in the browser that holds the cookie: single use,
    short-lived, never linked without that proof."""

    browser_digest: bytes
    user_id: UUID
    identity: ProviderIdentity
    created_at: datetime
    expires_at: datetime
