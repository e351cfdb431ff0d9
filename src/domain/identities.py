"""Provider identities (Google...) and the rules for attaching them to users."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from urllib.parse import urlsplit
from uuid import UUID

from domain.credentials import MAX_NAME, normalize_email, without_invisible
from domain.errors import AccountAlreadyLinked, EmailNotVerified, InvalidInput
from domain.profile import photo_url
from domain.users import Profile, User


@dataclass(frozen=True, slots=True)
class ProviderTokens:
    access_token: str | None = None
    refresh_token: str | None = None
    id_token: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """What a provider asserted, after its token was verified."""

    provider: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    given_name: str | None = None
    family_name: str | None = None
    name: str | None = None
    picture: str | None = None
    locale: str | None = None
    tokens: ProviderTokens = ProviderTokens()

    @property
    def normalized_email(self) -> str | None:
        """Compared and stored like local emails (the same form whichever way the provider
        spells it); one our rules refuse is no email at all: never linked by, never stored."""
        if not self.email:
            return None
        try:
            return normalize_email(self.email)
        except InvalidInput:
            return None

    def profile(self) -> Profile:
        first, last = self.given_name, self.family_name
        if not (first or last) and self.name:
            first, _, last = self.name.strip().partition(" ")
        return Profile(_fit(first), _fit(last), _picture(self.picture), _fit(self.locale, 16))


@dataclass(slots=True)
class LinkedAccount:
    id: UUID
    user_id: UUID
    provider: str
    subject: str
    linked_at: datetime
    email: str | None = None
    tokens: ProviderTokens = ProviderTokens()


class SignInPath(Enum):
    RETURNING = "returning"  # this identity is already linked: sign its user in
    LINK_CURRENT = "link_current"  # the signed-in user asked to link it
    LINK_BY_EMAIL = "link_by_email"  # the provider verified an email a user has
    CREATE = "create"  # nobody knows it: a new user


def choose_sign_in_path(
    identity: ProviderIdentity,
    account: LinkedAccount | None,
    link_user_id: UUID | None,
    email_owner: User | None,
) -> SignInPath:
    if account is not None:
        if link_user_id is not None and account.user_id != link_user_id:
            raise AccountAlreadyLinked()
        return SignInPath.RETURNING
    if link_user_id is not None:
        return SignInPath.LINK_CURRENT
    if email_owner is not None:
        if not identity.email_verified:
            raise EmailNotVerified()
        return SignInPath.LINK_BY_EMAIL
    return SignInPath.CREATE


def safe_redirect_path(raw: str | None) -> str | None:
    """Only a path on the frontend: no scheme, no host, no `//` or `\\` tricks."""
    if not raw or len(raw) > 2048 or not raw.startswith("/") or raw.startswith("//"):
        return None
    if "\\" in raw or any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return None
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else None


def _picture(url: str | None) -> str | None:
    """A provider's picture obeys the rule of a typed photo, or is dropped: never stored
    when invalid, and never a reason to refuse the sign-in (the person can set one later)."""
    try:
        return photo_url(url) if url else None
    except InvalidInput:
        return None


def _fit(text: str | None, limit: int = MAX_NAME) -> str | None:
    """A provider's name obeys the rules of a typed one, by cleaning: it cannot be refused."""
    text = without_invisible(text).strip()
    return text[:limit].strip() or None
