"""One SELECT shape for a User with its profile, linked providers and whether a second factor
is on, and its mapping."""

from sqlalchemy import Select, literal_column, select
from collections.abc import Mapping
from typing import Any


from domain.users import Profile, User
from infrastructure.persistence.tables import ProfileRow, UserRow

# ARRAY(subquery) is empty, not NULL, for a user with no linked provider.
_providers = literal_column(
    "ARRAY(SELECT accounts.provider FROM accounts WHERE accounts.user_id = users.id"
    " ORDER BY accounts.provider)"
)

# Read in the same statement, so that /auth/me stays one round trip.
_mfa_enabled = literal_column(
    "EXISTS(SELECT 1 FROM totp_secrets WHERE totp_secrets.user_id = users.id"
    " AND totp_secrets.confirmed_at IS NOT NULL)"
)


def select_users() -> Select:
    return select(
        UserRow.id,
        UserRow.email,
        UserRow.email_verified_at,
        UserRow.username,
        UserRow.phone_number,
        UserRow.phone_verified_at,
        UserRow.phone_changed_at,
        UserRow.password_hash,
        UserRow.created_at,
        ProfileRow.firstname,
        ProfileRow.lastname,
        ProfileRow.photo,
        ProfileRow.locale,
        _providers.label("providers"),
        _mfa_enabled.label("mfa_enabled"),
    ).outerjoin(ProfileRow, ProfileRow.user_id == UserRow.id)


def user_from_row(row: Mapping[str, Any]) -> User:
    """From a SQLAlchemy row mapping or an asyncpg record."""
    return User(
        id=row["id"],
        email=row["email"],
        created_at=row["created_at"],
        username=row["username"],
        phone_number=row["phone_number"],
        email_verified_at=row["email_verified_at"],
        phone_verified_at=row["phone_verified_at"],
        phone_changed_at=row["phone_changed_at"],
        password_hash=row["password_hash"],
        profile=Profile(row["firstname"], row["lastname"], row["photo"], row["locale"]),
        providers=tuple(row["providers"]),
        mfa_enabled=row["mfa_enabled"],
    )
