"""Peer: fastapi-users with its cookie transport and database strategy, on PostgreSQL.

Laid out as the fastapi-users documentation builds a SQLAlchemy app (models, schemas, user
manager, authentication backend, routers), in one file, with every default kept: the
SQLAlchemy pool (5 + 10 overflow), the password helper (pwdlib: argon2id with argon2-cffi's
defaults, t=3 m=64 MiB p=4, verified on the event loop), a one-hour access token stored in
clear in the `accesstoken` table. fastapi-users has no refresh route.

    POST /auth/register       JSON {email, password, firstname, lastname}  201
    POST /auth/cookie/login   form username=<email>&password=...           204, cookie fastapiusersauth
    POST /auth/cookie/logout  (cookie)                                     204, the token row deleted
    GET  /users/me            (cookie)                                     200, the user
    GET  /health              no database                                  200

Run from this folder: DATABASE_URL=postgresql+asyncpg://... uvicorn app:app --workers 1 --no-access-log
"""

import os
import uuid
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, CookieTransport
from fastapi_users.authentication.strategy.db import DatabaseStrategy
from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users_db_sqlalchemy.access_token import SQLAlchemyAccessTokenDatabase, SQLAlchemyBaseAccessTokenTableUUID
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SECRET = "bench-only-secret"  # signs reset and verification tokens, which the bench never asks for
TOKEN_LIFETIME_S = 3600

engine = create_async_engine(os.environ["DATABASE_URL"])
sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    # The two profile fields, added as the documentation adds custom fields, so that
    # /users/me answers about what Sésame's /auth/me does.
    firstname: Mapped[str | None] = mapped_column(String(100))
    lastname: Mapped[str | None] = mapped_column(String(100))


class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    firstname: str | None = None
    lastname: str | None = None


class UserCreate(schemas.BaseUserCreate):
    firstname: str | None = None
    lastname: str | None = None


class UserUpdate(schemas.BaseUserUpdate):
    firstname: str | None = None
    lastname: str | None = None


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def session():
    async with sessions() as db:
        yield db


async def user_manager(db: AsyncSession = Depends(session)):
    yield UserManager(SQLAlchemyUserDatabase(db, User))


def strategy(db: AsyncSession = Depends(session)) -> DatabaseStrategy:
    return DatabaseStrategy(SQLAlchemyAccessTokenDatabase(db, AccessToken), lifetime_seconds=TOKEN_LIFETIME_S)


backend = AuthenticationBackend(
    name="cookie-db",
    transport=CookieTransport(cookie_name="fastapiusersauth", cookie_max_age=TOKEN_LIFETIME_S),
    get_strategy=strategy,
)
users = FastAPIUsers[User, uuid.UUID](user_manager, [backend])


@asynccontextmanager
async def lifespan(_: FastAPI):
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(users.get_auth_router(backend), prefix="/auth/cookie")
app.include_router(users.get_register_router(UserRead, UserCreate), prefix="/auth")
app.include_router(users.get_users_router(UserRead, UserUpdate), prefix="/users")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
