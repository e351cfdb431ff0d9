"""The engine and its connections: the pooled engine and session factory the server uses,
a pool-less engine for a command, and what PgBouncer in transaction mode needs of both.

advanced_alchemy.config, not its Litestar extension: the same engine and sessions without
the plugin's CLI, Alembic commands and serialization plugin (docs/performance.md, Memory)."""

import asyncpg
from advanced_alchemy.config import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy import NullPool
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

CONNECT_TIMEOUT = 5  # seconds: PostgreSQL answers a connection in milliseconds when it is up
# Behind a transaction-pooling PgBouncer (DATABASE_PGBOUNCER), a client connection gets a
# server connection for one transaction only, and not the same one each time: a named
# prepared statement made on one is missing on the next, or clashes with another client's
# of the same name (asyncpg numbers them per connection: __asyncpg_stmt_1__...). So asyncpg
# caches none (statement_cache_size=0: its statements are unnamed, parsed and run in one
# exchange before the Sync that lets PgBouncer take the server connection back) and neither
# does SQLAlchemy's dialect (prepared_statement_cache_size=0: it prepares unnamed ones too).
# This works with any PgBouncer version, costing a Parse per statement.
PGBOUNCER_DRIVER_OPTIONS: dict[str, int] = {"statement_cache_size": 0}
PGBOUNCER_CONNECT_ARGS: dict[str, int] = {**PGBOUNCER_DRIVER_OPTIONS, "prepared_statement_cache_size": 0}


def pgbouncer_connect_args(pgbouncer: bool) -> dict[str, int]:
    """What SQLAlchemy's asyncpg dialect is given to connect: PGBOUNCER_CONNECT_ARGS behind
    PgBouncer, nothing else (asyncpg and SQLAlchemy cache prepared statements: the default)."""
    return dict(PGBOUNCER_CONNECT_ARGS) if pgbouncer else {}


def tool_engine(url: str, pgbouncer: bool = False) -> AsyncEngine:
    """A pool-less engine for a command (migrate, purge, rotate-keys): one connection a use.
    Its statements' parameters stay out of its errors too (see database_config)."""
    return create_async_engine(
        asyncpg_url(url), poolclass=NullPool, connect_args=pgbouncer_connect_args(pgbouncer),
        hide_parameters=True,
    )


def database_config(url: str, pool_size: int = 20, pgbouncer: bool = False) -> SQLAlchemyAsyncConfig:
    """advanced-alchemy's config: gives the engine and the session maker.
    Commits belong to our unit of work, so no autocommit handler is installed.

    The pool is fixed: overflow connections are opened and closed per request under load,
    and each new PostgreSQL backend is a fork (measured: a third of the core on /auth/me).
    Requests beyond `pool_size` wait a moment for a connection instead.

    Nothing waits long on a database that is down: a connection attempt gives up after
    CONNECT_TIMEOUT (asyncpg's default is a minute, for a server that drops packets) and a
    request waits at most 10 s for a pooled connection; then it answers 503 not_ready. No
    pre-ping (a round trip per request): a pooled connection found dead answers one 503 and
    SQLAlchemy then replaces every connection the pool held before.

    A statement's parameters stay out of its errors (hide_parameters): an error is logged,
    and parameters hold emails, phone numbers and digests that no log line should.

    `pgbouncer`: behind a transaction-pooling PgBouncer, no named prepared statements
    (PGBOUNCER_CONNECT_ARGS)."""
    return SQLAlchemyAsyncConfig(
        connection_string=asyncpg_url(url),
        engine_config=EngineConfig(
            pool_size=pool_size, max_overflow=0, pool_timeout=10,
            connect_args={"timeout": CONNECT_TIMEOUT, **pgbouncer_connect_args(pgbouncer)},
            hide_parameters=True,
        ),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
    )


def asyncpg_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms; the driver is asyncpg."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+asyncpg://{rest}" if scheme in ("postgres", "postgresql") and sep else url


async def connection_limit(url: str, timeout: float = 3, pgbouncer: bool = False) -> int | None:
    """How many connections the server gives ordinary users: max_connections less the
    superuser reserve. None when it does not answer in `timeout` s (the check is advice)."""
    dsn = asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
    options = PGBOUNCER_DRIVER_OPTIONS if pgbouncer else {}
    try:
        connection = await asyncpg.connect(dsn, timeout=timeout, **options)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        return await connection.fetchval(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
        )
    finally:
        await connection.close()
