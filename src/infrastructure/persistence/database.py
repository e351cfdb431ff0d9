"""The database: engine and session factory, the embedded server, migrations.

Alembic is imported only to migrate (`python -m web migrate`, and MIGRATE_ON_START's child
process): the serving process checks readiness against REVISIONS and SCHEMA_HEAD, constants that
a unit test holds equal to the migrations' chain and head (loading Alembic and its script
directory costs ~8-13 MiB per worker, kept for the life of the process)."""

import asyncio
import logging
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from typing import TYPE_CHECKING

# advanced_alchemy.config, not its Litestar extension: the same engine and sessions without
# the plugin's CLI, Alembic commands and serialization plugin (docs/performance.md, Memory).
from advanced_alchemy.config import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
import asyncpg
from sqlalchemy import Connection, NullPool, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infrastructure.persistence.problems import DatabaseProblem, database_problem

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Every revision this code knows, oldest first; the last is the one it needs. A new migration
# must be appended (tests/unit/infrastructure/test_schema_head.py compares this with Alembic's
# script directory). Readiness reads a revision's age from its place here.
REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003_formlink",
    "0004_sessions",
    "0005_purge_indexes",
    "0006_phone_changed_at",
    "0007_delivery_window",
)
SCHEMA_HEAD = REVISIONS[-1]
VERSION_TABLE = "alembic_versions"
CONNECT_TIMEOUT = 5  # seconds: PostgreSQL answers a connection in milliseconds when it is up
# pg advisory lock: one process migrates, the others wait. Transaction-scoped (xact), so it
# holds behind a transaction-pooling PgBouncer too: the migration is one transaction.
_MIGRATION_LOCK = 0x5E5A3E
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

log = logging.getLogger(__name__)

# What a database that is down or out of reach raises: connecting lets the socket's OSError
# through (refused, unknown host, timed out); a lost connection, a server that is starting,
# shutting down or at its connection limit, or no pooled connection in time raise the others.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,  # max_connections reached: out of reach for now, not a bug
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
)
# The server going away mid-query (pg_ctl stop, a crash) or refusing while it starts.
SERVER_GOING_AWAY = (asyncpg.AdminShutdownError, asyncpg.CrashShutdownError, asyncpg.CannotConnectNowError)
# What a database error may be raised as, down or not: database_unavailable() tells which.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    *DATABASE_UNAVAILABLE, asyncpg.PostgresError, asyncpg.InterfaceError, exc.DBAPIError,
)


# What a statement meets on a schema older than the code: a table, column or type it lacks.
SCHEMA_MISSING: tuple[type[Exception], ...] = (
    asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError, asyncpg.UndefinedObjectError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach (so: 503 and retry later), not a
    bug. Raw asyncpg errors arrive unwrapped from the prepared /auth/me query; SQLAlchemy
    wraps the others (the driver's error is its `orig`, or the cause of it)."""
    for error in _error_chain(error):
        if isinstance(error, (*DATABASE_UNAVAILABLE, *SERVER_GOING_AWAY)):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "closed" in str(error):
            return True  # "connection is closed": it died while idle in the pool
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
    return False


def schema_missing(error: BaseException) -> bool:
    """Whether `error` is a statement meeting a table, column or type that does not exist:
    a schema behind the code while it is not migrated yet, a bug once it is (the caller,
    who knows where the schema stands, tells which)."""
    return any(isinstance(error, SCHEMA_MISSING) for error in _error_chain(error))


def _error_chain(error: BaseException | None):
    """`error`, then what it wraps: SQLAlchemy's `orig`, else the cause (cycles cut)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "orig", None) or error.__cause__


def pgbouncer_connect_args(pgbouncer: bool) -> dict[str, int]:
    """What SQLAlchemy's asyncpg dialect is given to connect: PGBOUNCER_CONNECT_ARGS behind
    PgBouncer, nothing else (asyncpg and SQLAlchemy cache prepared statements: the default)."""
    return dict(PGBOUNCER_CONNECT_ARGS) if pgbouncer else {}


def tool_engine(url: str, pgbouncer: bool = False) -> AsyncEngine:
    """A pool-less engine for a command (migrate, purge, rotate-keys): one connection a use."""
    return create_async_engine(
        asyncpg_url(url), poolclass=NullPool, connect_args=pgbouncer_connect_args(pgbouncer)
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


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade to head in one transaction: a failing migration leaves nothing behind."""
    async with engine.begin() as connection:
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await connection.run_sync(_upgrade)


MIGRATE_URL_ENV = "SESAME_MIGRATE_URL"  # the child's database: not on its command line (ps)
MIGRATE_PGBOUNCER_ENV = "SESAME_MIGRATE_PGBOUNCER"  # "1": that URL is a transaction-pooling PgBouncer
DATABASE_PROBLEM_EXIT = 3  # the child's exit when it told a database problem in one line


async def migrate_in_child(url: str, pgbouncer: bool = False) -> None:
    """MIGRATE_ON_START: upgrade from a short-lived child process (this module run as a
    script), so that Alembic never enters a serving process. Its failure fails the start."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__,
        env={**os.environ, MIGRATE_URL_ENV: url, MIGRATE_PGBOUNCER_ENV: "1" if pgbouncer else ""},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await child.communicate()
    told = errors.decode(errors="replace").strip()
    if child.returncode == DATABASE_PROBLEM_EXIT:  # the child said it in one line
        raise DatabaseProblem(f"Migrating the database failed: {told}")
    if child.returncode != 0:
        raise RuntimeError(f"Migrating the database failed:\n{told[-4000:]}")


async def migrate_url(url: str, pgbouncer: bool = False) -> str:
    """`python -m web migrate`: upgrade the database at `url` (`pgbouncer`: reached through a
    transaction-pooling PgBouncer); returns the revision it is at."""
    engine = tool_engine(url, pgbouncer)
    try:
        await migrate(engine)
        return (await schema_state(engine, schema_head())).revision or ""
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> None:
    from alembic import command  # only migrating loads Alembic

    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _alembic_config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_head() -> str:
    """The revision this code needs (SCHEMA_HEAD: no Alembic, no files read)."""
    return SCHEMA_HEAD


def migrations_head() -> str | None:
    """The head of the migrations' script directory, as Alembic reads it (tests, tools)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where the schema stands against the code's head. Rules: the head or a later revision
    of REVISIONS is usable; a revision not in REVISIONS is taken as newer (a later version
    migrated it: old and new code serve side by side during a rolling deploy), so usable
    too; an earlier revision, or none, is not."""

    revision: str | None  # None: never migrated
    head: str
    known: tuple[str, ...] = REVISIONS

    @property
    def current(self) -> bool:
        return self.revision == self.head

    @property
    def unknown(self) -> bool:
        """Migrated by a version this code does not know (taken as newer)."""
        return self.revision is not None and self.revision not in self.known

    @property
    def usable(self) -> bool:
        if self.revision is None:
            return False
        if self.unknown:
            return True
        return self.known.index(self.revision) >= self.known.index(self.head)


async def schema_state(engine: AsyncEngine, head: str) -> SchemaState:
    """Where the database's schema is, against `head`. Raises when the database does not answer."""
    async with engine.connect() as connection:
        if await connection.scalar(text("SELECT to_regclass(:table)"), {"table": VERSION_TABLE}) is None:
            return SchemaState(None, head)
        revision = await connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return SchemaState(revision, head)


class EmbeddedPostgres:
    """A real PostgreSQL from the `pgserver` wheel, for machines without a server."""

    def __init__(self, data_dir: Path, database: str = "sesame") -> None:
        self._data_dir = data_dir
        self._database = database
        self._server = None

    def start(self) -> str:
        self._data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver  # imported here: only the embedded mode needs it

            # Its INFO lines narrate each pg_ctl call with its output (15 lines at Ctrl-C);
            # its warnings and errors still show.
            logging.getLogger("pgserver").setLevel(logging.WARNING)
            self._server = pgserver.get_server(self._data_dir, cleanup_mode="stop")
        exists = self._server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{self._database}';"
        )
        if "(1 row)" not in exists:
            self._server.psql(f'CREATE DATABASE "{self._database}";')
        socket_dir = parse_qs(urlsplit(self._server.get_uri()).query)["host"][0]
        log.info("embedded PostgreSQL running in %s", self._data_dir)
        return f"postgresql+asyncpg://postgres@/{self._database}?host={socket_dir}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


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


def _migrate_as_child() -> None:
    """migrate_in_child's child: a database problem is one line and DATABASE_PROBLEM_EXIT."""
    try:
        asyncio.run(migrate_url(os.environ[MIGRATE_URL_ENV], os.environ.get(MIGRATE_PGBOUNCER_ENV) == "1"))
    except Exception as error:
        problem = database_problem(error)
        if problem is None:
            raise
        print(problem, file=sys.stderr, flush=True)
        raise SystemExit(DATABASE_PROBLEM_EXIT) from None


if __name__ == "__main__":
    _migrate_as_child()
