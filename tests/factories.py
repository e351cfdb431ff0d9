"""Test data with polyfactory: valid by construction, unique where it must be."""

import uuid
from datetime import UTC, datetime

from polyfactory import Use
from polyfactory.factories import DataclassFactory

from application.use_cases.register_local_user import Registration
from domain.passkeys import Passkey
from domain.users import Profile, User


def long_email(length: int) -> str:
    """A valid address of exactly `length` characters: a local part of 64, DNS labels of
    at most 60 (IDNA allows 63)."""
    local, domain = "a" * 64, "example.com"
    while len(local) + 1 + len(domain) < length:
        label = "b" * min(60, length - len(local) - 1 - len(domain) - 1)
        domain = f"{label}.{domain}"
    return f"{local}@{domain}"


class RegistrationFactory(DataclassFactory[Registration]):
    email = Use(lambda: f"user-{uuid.uuid4().hex[:10]}@example.com")
    password = Use(lambda: f"pass-{uuid.uuid4().hex[:12]}")
    firstname = Use(lambda: "Ada")
    lastname = Use(lambda: "Lovelace")
    username = Use(lambda: f"user_{uuid.uuid4().hex[:10]}")


class UserFactory(DataclassFactory[User]):
    id = Use(uuid.uuid4)
    email = Use(lambda: f"user-{uuid.uuid4().hex[:10]}@example.com")
    username = Use(lambda: f"user_{uuid.uuid4().hex[:10]}")
    phone_number = None
    created_at = Use(lambda: datetime(2026, 1, 1, tzinfo=UTC))
    email_verified_at = None
    phone_verified_at = None
    phone_changed_at = None
    password_hash = Use(lambda: "fake$secret-password")
    profile = Use(lambda: Profile("Ada", "Lovelace"))
    providers = ()
    mfa_enabled = False  # read from the account's second factor, never stored with the user


def passkey_of(user: User, credential_id: bytes = b"cred-1", created_at: datetime | None = None, **changes) -> Passkey:
    """A passkey of `user`, as a registration would have stored it."""
    values = dict(
        id=uuid.uuid4(), user_id=user.id, credential_id=credential_id, public_key=b"\xa5cose-key",
        sign_count=0, transports=("internal", "hybrid"), backup_eligible=True, backed_up=False,
        aaguid="ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", name="Passkey",
        created_at=created_at or datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    return Passkey(**{**values, **changes})
