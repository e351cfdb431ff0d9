"""Wire shapes of the contract (../shared/API.md): camelCase JSON, unknown fields refused.

Length caps here are coarse guards (a 1 MB "email" never reaches the domain); the domain
owns the precise rules and their messages.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar.openapi import ResponseSpec
from msgspec import Meta, Struct

from domain.users import User

Email = Annotated[str, Meta(max_length=254)]
Password = Annotated[str, Meta(max_length=256)]
Name = Annotated[str, Meta(max_length=100)]


class Body(Struct, forbid_unknown_fields=True, rename="camel"):
    pass


class RegisterBody(Body):
    email: Email
    password: Password
    firstname: Name | None = None
    lastname: Name | None = None
    username: Name | None = None


class LoginBody(Body):
    password: Password
    email_or_username: Email | None = None
    email: Email | None = None  # accepted in place of emailOrUsername


class ProfileOut(Struct):
    firstname: str | None
    lastname: str | None
    photo: str | None
    locale: str | None


class UserOut(Struct, rename="camel"):
    id: UUID
    email: str | None
    email_verified: bool
    username: str | None
    phone_number: str | None
    phone_verified: bool
    has_password: bool
    providers: list[str]
    profile: ProfileOut
    required_actions: list[str]
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> "UserOut":
        p = user.profile
        return cls(
            id=user.id,
            email=user.email,
            email_verified=user.email_verified,
            username=user.username,
            phone_number=user.phone_number,
            phone_verified=user.phone_verified,
            has_password=user.has_password,
            providers=list(user.providers),
            profile=ProfileOut(p.firstname, p.lastname, p.photo, p.locale),
            required_actions=user.required_actions(),
            created_at=user.created_at,
        )


class MeOut(Struct):
    user: UserOut | None


class RegisterOut(Struct, kw_only=True):
    ok: bool = True
    user: UserOut


class LoginOut(Struct, kw_only=True, rename="camel"):
    ok: bool = True
    user: UserOut
    profile_complete: bool


class OkOut(Struct):
    ok: bool = True


class StatusOut(Struct):
    status: str


class FieldError(Struct):
    field: str
    message: str


class ErrorOut(Struct, omit_defaults=True):
    error: str
    message: str
    fields: list[FieldError] | None = None
    providers: list[str] | None = None


class AccountOut(Struct, rename="camel"):
    provider: str
    linked_at: datetime


class AccountsOut(Struct, rename="camel"):
    accounts: list[AccountOut]
    has_password: bool


ERROR = ResponseSpec(data_container=ErrorOut, description="The contract's error shape")
