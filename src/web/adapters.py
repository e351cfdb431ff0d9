"""The only place (with app.py) that knows infrastructure: it picks an adapter per port."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from advanced_alchemy.config import SQLAlchemyAsyncConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.identity import IdentityProvider
from application.policy import PhoneCodePolicy, ProfilePolicy, SessionPolicy
from infrastructure.clock import SystemClock, Uuid7Ids
from infrastructure.messaging.wiring import outbox_dispatcher
from infrastructure.phone_numbers import LibPhoneNumbers
from infrastructure.persistence.attempts import SqlAttemptCounter, UncountedAttempts
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.refresh_rotation import SqlRefreshRotation
from infrastructure.persistence.database import (
    EmbeddedPostgres,
    database_config,
    migrate_in_child,
    schema_head,
    schema_state,
)
from infrastructure.persistence.housekeeping import PeriodicPurge
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.security.cipher import TokenCipher
from infrastructure.security.codes import RandomCodes
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.tokens import HmacTokenMinter
from infrastructure.settings import Settings
from web.dependencies import Ports

if TYPE_CHECKING:
    import httpx

Hook = Callable[[], Awaitable[None] | None]

log = logging.getLogger("sesame")
MIGRATE_COMMAND = "make migrate (or: python -m web migrate)"


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


def open_database(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """DATABASE_URL, or an embedded server started for this process (stop it at the end)."""
    if settings.database_url is not None:
        return settings.database_url, None
    embedded = EmbeddedPostgres(Path(settings.data_dir) / "postgres")
    return embedded.start(), embedded


def schema_checks(
    engine: AsyncEngine,
) -> tuple[Callable[[], Awaitable[str | None]], Callable[[], Awaitable[bool]]]:
    """Readiness means the schema is at the head revision: an unmigrated database answers
    SELECT 1 while every request fails. The head is read here, once."""
    head = schema_head()

    async def schema_problem() -> str | None:
        if (await schema_state(engine, head)).current:
            return None
        return "The database schema is not migrated to this version (run: python -m web migrate)."

    async def at_head_or_warn() -> bool:
        try:
            state = await schema_state(engine, head)
        except Exception as exc:  # not fatal at start: /health/ready keeps answering 503
            log.warning("The database does not answer at start (%s); /health/ready answers 503.", exc)
            return False
        if not state.current:
            log.warning(
                "The database schema is at revision %s, this version needs %s: every request will "
                "fail and /health/ready answers 503 until you run %s.",
                state.revision or "none (never migrated)", head, MIGRATE_COMMAND,
            )
        return state.current

    return schema_problem, at_head_or_warn


def outside_http(settings: Settings) -> "httpx.AsyncClient | None":
    """The HTTP client of identity providers (discovery, JWKS, tokens) and SendGrid, or None
    when this deployment talks to neither: then httpx, authlib and joserfc are never imported
    (about 7 MiB per worker, docs/performance.md)."""
    if not (settings.identity_providers_enabled or settings.sendgrid_enabled):
        return None
    import httpx

    return httpx.AsyncClient(timeout=10)


def configured_identity_providers(
    settings: Settings, http: "httpx.AsyncClient | None"
) -> dict[str, IdentityProvider]:
    if not settings.identity_providers_enabled or http is None:
        return {}  # and authlib, joserfc stay unimported, SendGrid's client or not
    from infrastructure.oidc.registry import identity_providers

    return identity_providers(settings, http)


def build_infrastructure(settings: Settings) -> Infrastructure:
    url, embedded = open_database(settings)
    # DATABASE_POOL_SIZE in all: half for /auth/me and refresh's single statements, on the
    # driver (persistence/driver_pool.py), half for the units of work.
    hot_connections = max(1, settings.pool_size // 2)
    database = database_config(url, max(1, settings.pool_size - hot_connections))
    engine = database.get_engine()
    hot = DriverPool.of(engine, hot_connections)
    session_maker = database.create_session_maker()
    hasher = Argon2PasswordHasher(
        threads=settings.password_hash_threads, queue_limit=settings.password_queue_limit
    )
    cipher = TokenCipher(settings.secret_key, settings.secret_key_fallbacks)
    clock = SystemClock()
    purge = PeriodicPurge(engine, clock)
    http = outside_http(settings)
    dispatcher = (
        outbox_dispatcher(settings, engine, cipher, clock, http) if settings.outbox_dispatcher else None
    )

    schema_problem, at_head_or_warn = schema_checks(engine)

    async def migrate_database() -> None:
        # Already at head (every start but the first of a version): no Alembic in this process.
        try:
            if (await schema_state(engine, schema_head())).current:
                return
        except Exception:  # the migration tells (and fails the start) as before
            pass
        await migrate_in_child(url)

    async def start_background_when_migrated() -> None:
        if await at_head_or_warn():  # they need the tables (else a traceback an hour)
            await purge.start()
            if dispatcher is not None:
                await dispatcher.start()

    async def stop_dispatcher() -> None:
        if dispatcher is not None:
            await dispatcher.stop()

    infrastructure = Infrastructure(
        ports=Ports(
            new_uow=lambda: SqlUnitOfWork(session_maker, cipher),
            current_user_query=SqlCurrentUserQuery(hot),
            refresh_rotation=SqlRefreshRotation(hot),
            hasher=hasher,
            tokens=HmacTokenMinter(settings.secret_key, settings.secret_key_fallbacks),
            clock=clock,
            ids=Uuid7Ids(),
            policy=session_policy(settings),
            attempts=SqlAttemptCounter(engine) if settings.rate_limit_enabled else UncountedAttempts(),
            schema_problem=schema_problem,
            identity_providers=configured_identity_providers(settings, http),
            phones=LibPhoneNumbers(),
            codes=RandomCodes(),
            profile_policy=ProfilePolicy(
                phone_region=settings.default_phone_region, local_http_photos=not settings.production
            ),
            phone_code_policy=PhoneCodePolicy(
                default_locale=settings.default_locale, whatsapp=settings.whatsapp_enabled
            ),
            default_locale=settings.default_locale,
        ),
        database=database,
    )
    if settings.migrate_on_start:
        infrastructure.on_startup.append(migrate_database)
    infrastructure.on_startup.append(start_background_when_migrated)  # after migrations
    infrastructure.on_shutdown += [
        stop_dispatcher, purge.stop, hot.close, engine.dispose, hasher.close
    ]
    if http is not None:
        infrastructure.on_shutdown.append(http.aclose)
    if embedded is not None:
        infrastructure.on_shutdown.append(embedded.stop)
    return infrastructure
