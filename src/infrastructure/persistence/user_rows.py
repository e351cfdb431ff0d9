"""One SELECT shape for a User with its profile and linked providers, and its mapping."""

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Row

from domain.users import Profile, User
from infrastructure.persistence.tables import AccountRow, ProfileRow, UserRow

_providers = (
    select(func.coalesce(func.array_agg(AccountRow.provider), []))
    .where(AccountRow.user_id == UserRow.id)
    .scalar_subquery()
)


def select_users() -> Select:
    return select(
        UserRow.id,
        UserRow.email,
        UserRow.email_verified_at,
        UserRow.username,
        UserRow.phone_number,
        UserRow.phone_verified_at,
        UserRow.password_hash,
        UserRow.created_at,
        ProfileRow.firstname,
        ProfileRow.lastname,
        ProfileRow.photo,
        ProfileRow.locale,
        _providers.label("providers"),
    ).outerjoin(ProfileRow, ProfileRow.user_id == UserRow.id)


def user_from_row(row: Row) -> User:
    return User(
        id=row.id,
        email=row.email,
        created_at=row.created_at,
        username=row.username,
        phone_number=row.phone_number,
        email_verified_at=row.email_verified_at,
        phone_verified_at=row.phone_verified_at,
        password_hash=row.password_hash,
        profile=Profile(row.firstname, row.lastname, row.photo, row.locale),
        providers=tuple(sorted(row.providers)),
    )
