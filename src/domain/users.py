"""The person who signs in: User, with its Profile and the providers linked to it."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

COMPLETE_PROFILE = "complete_profile"
VERIFY_EMAIL = "verify_email"
ADD_EMAIL = "add_email"


@dataclass(slots=True)
class Profile:
    firstname: str | None = None
    lastname: str | None = None
    photo: str | None = None
    locale: str | None = None

    @property
    def is_complete(self) -> bool:
        return bool(self.firstname and self.lastname)


@dataclass(slots=True)
class User:
    id: UUID
    email: str | None
    created_at: datetime
    username: str | None = None
    phone_number: str | None = None
    email_verified_at: datetime | None = None
    phone_verified_at: datetime | None = None
    phone_changed_at: datetime | None = None  # when the number was last set (None: before this was kept)
    password_hash: str | None = None
    profile: Profile = field(default_factory=Profile)
    providers: tuple[str, ...] = ()
    mfa_enabled: bool = False  # a second factor is on (TOTP confirmed): read with the user

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def address_unproven(self) -> bool:
        """An email nobody has proven: whoever typed it may be squatting someone's address.
        (An account without an email, made by a provider, has no address to prove.)"""
        return self.email is not None and not self.email_verified

    @property
    def phone_verified(self) -> bool:
        return self.phone_verified_at is not None

    def required_actions(self) -> list[str]:
        """What the frontend must still ask for before the account is complete."""
        actions = []
        if not self.profile.is_complete:
            actions.append(COMPLETE_PROFILE)
        if self.email is None:
            actions.append(ADD_EMAIL)
        elif not self.email_verified:
            actions.append(VERIFY_EMAIL)
        return actions
