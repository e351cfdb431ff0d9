"""The only place (with app.py) that knows infrastructure: it picks an adapter per port."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
import httpx
from sqlalchemy import text

from application.policy import SessionPolicy
from infrastructure.clock import SystemClock, Uuid7Ids
from infrastructure.oidc.registry import identity_providers
from infrastructure.persistence.attempts import SqlAttemptCounter, UncountedAttempts
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.database import EmbeddedPostgres, database_config, migrate
from infrastructure.persistence.housekeeping import PeriodicPurge
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.security.cipher import TokenCipher
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.tokens import HmacTokenMinter
from infrastructure.settings import Settings
from web.dependencies import Ports

Hook = Callable[[], Awaitable[None] | None]


@dataclass
class Infrastructure:
    ports: Ports
    database: SQLAlchemyAsyncConfig
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        session_ttl=timedelta(seconds=settings.session_ttl),
        refresh_ttl=timedelta(seconds=settings.refresh_ttl),
        reuse_grace=timedelta(seconds=settings.refresh_reuse_grace),
    )


def build_infrastructure(settings: Settings) -> Infrastructure:
    embedded = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(Path(settings.data_dir) / "postgres")
        url = embedded.start()
    database = database_config(url, settings.database_pool_size)
    engine = database.get_engine()
    session_maker = database.create_session_maker()
    hasher = Argon2PasswordHasher()
    cipher = TokenCipher(settings.secret_key)
    clock = SystemClock()
    purge = PeriodicPurge(engine, clock)
    http = httpx.AsyncClient(timeout=10)  # discovery and JWKS of identity providers

    async def ping_database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate_database() -> None:
        await migrate(engine)

    infrastructure = Infrastructure(
        ports=Ports(
            new_uow=lambda: SqlUnitOfWork(session_maker, cipher),
            current_user_query=SqlCurrentUserQuery(engine),
            hasher=hasher,
            tokens=HmacTokenMinter(settings.secret_key),
            clock=clock,
            ids=Uuid7Ids(),
            policy=session_policy(settings),
            attempts=SqlAttemptCounter(engine) if settings.rate_limit_enabled else UncountedAttempts(),
            ping_database=ping_database,
            identity_providers=identity_providers(settings, http),
        ),
        database=database,
    )
    if settings.migrate_on_start:
        infrastructure.on_startup.append(migrate_database)
    infrastructure.on_startup.append(purge.start)  # after migrations: it needs the tables
    infrastructure.on_shutdown += [purge.stop, http.aclose, engine.dispose, hasher.close]
    if embedded is not None:
        infrastructure.on_shutdown.append(embedded.stop)
    return infrastructure
