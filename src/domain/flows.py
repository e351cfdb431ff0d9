from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


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
