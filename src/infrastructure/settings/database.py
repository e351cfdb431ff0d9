"""The database: where it is (or the embedded one), the pools, PgBouncer, migrations at start,
and how long finished rows are kept."""

from urllib.parse import urlsplit

import msgspec

from infrastructure.settings.environment import ConfigError, check_at_least, variable

# What DATABASE_URL may start with: PostgreSQL, spelled as libpq, SQLAlchemy or asyncpg do.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: str | None = variable("DATABASE_URL", None)  # unset: an embedded server, in DATA_DIR
    # Connections per process, unless DATABASE_MAX_CONNECTIONS divides (Settings.pool_size).
    pool_size: int = variable("DATABASE_POOL_SIZE", 20)
    # All the connections this instance (every worker) may hold; each worker's pool is derived.
    max_connections: int | None = variable("DATABASE_MAX_CONNECTIONS", None)
    # Behind a transaction-pooling PgBouncer (docs/operations.md "PgBouncer"): no prepared
    # statement outlives its transaction, and nothing relies on session state.
    pgbouncer: bool = variable("DATABASE_PGBOUNCER", False)
    # A direct PostgreSQL connection (not through the pooler), for LISTEN and migrations.
    direct_url: str | None = variable("DATABASE_DIRECT_URL", None)
    data_dir: str = variable("DATA_DIR", ".data")
    run_migrations: bool | None = variable("RUN_MIGRATIONS", None)  # default: on in development only


class RetentionSettings(msgspec.Struct, frozen=True, kw_only=True):
    """docs/operations.md "Retention": rotated refresh tokens, ended sessions, used or expired
    links and codes, finished outbox messages are purged this many days after they ended;
    security events this many days after they happened."""

    days: int = variable("RETENTION_DAYS", 30)
    events_days: int = variable("EVENTS_RETENTION_DAYS", 400)


def check_database(database: DatabaseSettings) -> None:
    check_at_least(1, "a whole number, 1 or more", DATABASE_POOL_SIZE=database.pool_size,
                   DATABASE_MAX_CONNECTIONS=database.max_connections)
    _check_database_url(database.url, "DATABASE_URL")
    _check_database_url(database.direct_url, "DATABASE_DIRECT_URL")
    if database.direct_url is not None and database.url is None:
        raise ConfigError("DATABASE_DIRECT_URL: set with DATABASE_URL only (it is DATABASE_URL's "
                          "database, reached without PgBouncer)")


def check_production_database(database: DatabaseSettings) -> None:
    """The embedded database is for development: its data lives in DATA_DIR, beside the
    code, with no backups."""
    if database.url is None:
        raise ConfigError("DATABASE_URL: APP_ENV=production needs a PostgreSQL database "
                          "(the embedded one is for development)")


def check_retention(retention: RetentionSettings) -> None:
    check_at_least(1, "a number of days, 1 or more", RETENTION_DAYS=retention.days,
                   EVENTS_RETENTION_DAYS=retention.events_days)


def _check_database_url(url: str | None, name: str) -> None:
    """A PostgreSQL URL that parses: anything else fails at the first connection, far from
    its cause. The value is never echoed: it may hold a password."""
    if url is None:
        return
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme.lower() not in DATABASE_SCHEMES:
        got = f'a "{scheme}://" URL' if scheme and len(scheme) <= 30 else "something else"
        raise ConfigError(f"{name}: expected a postgresql://user:password@host:5432/database URL, got {got}")
    try:
        urlsplit(url).port  # noqa: B018 - parsed lazily: a port that is not a number raises here
    except ValueError as exc:
        raise ConfigError(f"{name}: cannot be read as a URL ({exc})") from None
