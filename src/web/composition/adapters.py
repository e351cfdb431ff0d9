"""Which adapter stands behind each port, picked from the settings (web.composition)."""

import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advanced_alchemy.config import SQLAlchemyAsyncConfig

from application.ports.identity import IdentityProvider
from application.ports.security import BreachedPasswords
from infrastructure.clock import SystemClock, Uuid7Ids
from infrastructure.observability import multiprocess
from infrastructure.observability.telemetry import LogTelemetry
from infrastructure.outbox.store import SqlOutbox
from infrastructure.outbox.wiring import outbox_dispatcher
from infrastructure.persistence.attempts import SqlAttemptCounter, UncountedAttempts
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.embedded_postgres import EmbeddedPostgres
from infrastructure.persistence.engine import database_config
from infrastructure.persistence.errors import schema_missing
from infrastructure.persistence.housekeeping import PeriodicPurge, Retention
from infrastructure.persistence.migrate import migrate_in_child
from infrastructure.persistence.readiness import SchemaReadiness
from infrastructure.persistence.refresh_rotation import SqlRefreshRotation
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.phone_numbers import LibPhoneNumbers
from infrastructure.security.breach_check import NoBreachCheck
from infrastructure.security.cipher import TokenCipher
from infrastructure.security.codes import RandomCodes
from infrastructure.security.passkeys import PyWebAuthnVerifier, RelyingParty, authenticator_models
from infrastructure.security.second_factor import RandomSecondFactorSecrets
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.tokens import HmacTokenMinter
from infrastructure.settings import Settings
from infrastructure.settings.passkeys import relying_party
from infrastructure.supervisor import Job, Supervisor
from web.composition.use_cases import Ports

if TYPE_CHECKING:
    import httpx

    from infrastructure.observability.metrics import Metrics

Hook = Callable[[], Awaitable[None] | None]

log = logging.getLogger("sesame")
MIGRATE_COMMAND = "make migrate (or: python -m web migrate)"


@dataclass
class Infrastructure:
    ports: Ports
    database: SQLAlchemyAsyncConfig
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    # Whether a failed request met a schema behind the code (503 not_ready, not a 500).
    schema_behind: Callable[[Exception], bool] = lambda _: False
    # Told each answered request (route, method, status, seconds) when metrics are on.
    observe_request: Callable[[str, str, int, float], None] | None = None


def retention(settings: Settings) -> Retention:
    return Retention(days=settings.retention.days, events_days=settings.retention.events_days)


def open_database(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """DATABASE_URL, or an embedded server started for this process (stop it at the end)."""
    if settings.database.url is not None:
        return settings.database.url, None
    embedded = EmbeddedPostgres(Path(settings.database.data_dir) / "postgres")
    return embedded.start(), embedded


def listen_url(settings: Settings, url: str) -> str | None:
    """Where the outbox dispatcher LISTENs (`url`: the database in use): DATABASE_DIRECT_URL
    when set; none through PgBouncer without it (it polls, Settings.listens); else `url`."""
    if not settings.listens:
        return None
    return settings.database.direct_url or url


def migration_target(settings: Settings, url: str) -> tuple[str, bool]:
    """Where migrations run, and whether through PgBouncer: DATABASE_DIRECT_URL when set (DDL
    holds its locks for the whole migration: better not on a pooled server connection that
    PgBouncer's timeouts may cut), else `url`."""
    if settings.database.direct_url is not None:
        return settings.database.direct_url, False
    return url, settings.database.pgbouncer


def warn_at_start(readiness: SchemaReadiness) -> Hook:
    """One line at start when the schema is not usable yet, saying what to run (the
    supervisor then waits quietly, and the service turns ready by itself once migrated)."""

    async def warn() -> None:
        try:
            state = await readiness.check()
        except Exception as exc:  # not fatal: /health/ready answers 503 until it answers
            log.warning("The database does not answer at start (%s); /health/ready answers 503 "
                        "until it does.", exc)
            return
        if not state.usable:
            log.warning(
                "The database schema is at revision %s, this version needs %s or newer: requests "
                "answer 503 not_ready until you run %s (no restart needed).",
                state.revision or "none (never migrated)", state.head, MIGRATE_COMMAND,
            )

    return warn


def schema_behind(readiness: SchemaReadiness) -> Callable[[Exception], bool]:
    """A missing table or column while the schema is not known usable: not migrated yet,
    so 503. Once usable it is a bug (500). Reads the last check, never queries."""
    return lambda error: not readiness.usable and schema_missing(error)


def outside_http(settings: Settings) -> "httpx.AsyncClient | None":
    """The HTTP client of identity providers (discovery, JWKS, tokens), SendGrid and Pwned
    Passwords, or None when this deployment talks to none of them: then httpx, authlib and
    joserfc are never imported (about 7 MiB per worker, docs/performance.md). One client per
    process, closed at shutdown."""
    if not (settings.providers or settings.messaging.sendgrid.enabled or settings.passwords.breach_check):
        return None
    import httpx

    return httpx.AsyncClient(timeout=10)


def configured_identity_providers(
    settings: Settings, http: "httpx.AsyncClient | None"
) -> dict[str, IdentityProvider]:
    if not settings.providers or http is None:
        return {}  # and authlib, joserfc stay unimported, SendGrid's client or not
    from infrastructure.providers.registry import identity_providers

    return identity_providers(settings, http)


def breached_passwords(settings: Settings, http: "httpx.AsyncClient | None") -> BreachedPasswords:
    """Pwned Passwords when PASSWORD_BREACH_CHECK is on, else no check."""
    if not settings.passwords.breach_check or http is None:
        return NoBreachCheck()
    from infrastructure.security.pwned_passwords import PwnedPasswords

    return PwnedPasswords(http, settings.passwords.pwned_passwords_url)


def worker_metrics(settings: Settings) -> "Metrics | None":
    """This process's metrics, when METRICS_PORT is set and `python -m web` serves them (it
    makes PROMETHEUS_MULTIPROC_DIR, fresh, before any worker starts). Elsewhere (a bare
    uvicorn, a test's app) nothing would read them: none are kept, and prometheus_client is
    not even loaded."""
    if settings.observability.metrics_port is None:
        return None
    if not os.environ.get(multiprocess.VARIABLE):
        log.warning("METRICS_PORT is served by `python -m web` only: this process keeps no metrics.")
        return None
    from infrastructure.observability.metrics import Metrics

    return Metrics()


def build_infrastructure(settings: Settings) -> Infrastructure:
    url, embedded = open_database(settings)
    # DATABASE_POOL_SIZE in all: half for /auth/me and refresh's single statements, on the
    # driver (persistence/driver_pool.py), half for the units of work.
    hot_connections = max(1, settings.pool_size // 2)
    pgbouncer = settings.database.pgbouncer  # no prepared statement outlives its transaction
    database = database_config(url, max(1, settings.pool_size - hot_connections), pgbouncer=pgbouncer)
    engine = database.get_engine()
    hot = DriverPool.of(engine, hot_connections, pgbouncer=pgbouncer)
    session_maker = database.create_session_maker()
    hasher = Argon2PasswordHasher(
        threads=settings.limits.password_hash_threads, queue_limit=settings.limits.password_queue_limit
    )
    cipher = TokenCipher(settings.keys.secret_key, settings.keys.fallbacks)
    clock = SystemClock()
    purge = PeriodicPurge(engine, clock, retention=retention(settings))
    http = outside_http(settings)
    metrics = worker_metrics(settings)
    dispatcher = (
        outbox_dispatcher(
            settings, engine, cipher, clock, http, listen_url=listen_url(settings, url), observer=metrics
        )
        if settings.messaging.outbox_dispatcher else None
    )
    readiness = SchemaReadiness(engine)
    # The jobs need the tables: started once the schema is usable, restarted if they stop.
    jobs = [Job(purge.name, purge.run), *(dispatcher.jobs() if dispatcher is not None else [])]
    # Stopped once the requests in flight are done: the message being sent gets SHUTDOWN_GRACE
    # to go; one still sending then is cut, and its claim's lease hands it to another sender.
    supervisor = Supervisor(readiness.usable_now, jobs, grace=settings.serving.shutdown_grace)

    async def migrate_database() -> None:
        # Already usable (every start but the first of a version): no Alembic in this process.
        try:
            if (await readiness.check()).usable:
                return
        except Exception:  # the migration tells (and fails the start) as before
            pass
        await migrate_in_child(*migration_target(settings, url))

    async def close_dispatcher() -> None:
        if dispatcher is not None:
            await dispatcher.close()

    infrastructure = Infrastructure(
        ports=Ports(
            new_uow=lambda: SqlUnitOfWork(session_maker, cipher, outbox=SqlOutbox),
            current_user_query=SqlCurrentUserQuery(hot),
            refresh_rotation=SqlRefreshRotation(hot),
            hasher=hasher,
            breached_passwords=breached_passwords(settings, http),
            tokens=HmacTokenMinter(settings.keys.secret_key, settings.keys.fallbacks),
            clock=clock,
            ids=Uuid7Ids(),
            attempts=SqlAttemptCounter(engine) if settings.limits.rate_limit_enabled else UncountedAttempts(),
            schema_problem=readiness.problem,
            identity_providers=configured_identity_providers(settings, http),
            phones=LibPhoneNumbers(),
            codes=RandomCodes(),
            telemetry=LogTelemetry(metrics),
            second_factor_secrets=RandomSecondFactorSecrets(),
            passkey_verifier=PyWebAuthnVerifier(RelyingParty(*relying_party(
                settings.passkeys, settings.serving.frontend_origin, settings.branding.app_name
            ))),
            authenticator_models=authenticator_models(),
        ),
        database=database,
        schema_behind=schema_behind(readiness),
        observe_request=metrics.observe_request if metrics is not None else None,
    )
    if settings.migrate_on_start:
        infrastructure.on_startup.append(migrate_database)
    infrastructure.on_startup += [warn_at_start(readiness), supervisor.start]  # after migrations
    infrastructure.on_shutdown += [
        supervisor.stop, close_dispatcher, hot.close, engine.dispose, hasher.close
    ]
    if metrics is not None:
        sample_gauges(infrastructure, metrics, engine, hot, hasher)
    if http is not None:
        infrastructure.on_shutdown.append(http.aclose)
    if embedded is not None:
        infrastructure.on_shutdown.append(embedded.stop)
    return infrastructure


def sample_gauges(
    infrastructure: Infrastructure, metrics: "Metrics", engine, hot: DriverPool, hasher: Argon2PasswordHasher
) -> None:
    """The pools' and the password queue's gauges, sampled while the process serves."""
    from infrastructure.observability.sampling import GaugeSampler, driver_pool_usage, queue_pool_usage

    sampler = GaugeSampler(metrics, {
        "units": lambda: queue_pool_usage(engine.pool),  # the units of work's SQLAlchemy pool
        "hot": lambda: driver_pool_usage(hot),  # /auth/me's and refresh's single statements
    }, lambda: hasher.queued)
    infrastructure.on_startup.append(sampler.start)
    infrastructure.on_shutdown.insert(0, sampler.stop)
