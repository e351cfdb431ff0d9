"""Which database errors mean what: the database out of reach (503, and retry later: not a
bug), a statement meeting a schema older than the code, a unique constraint that stands
for a domain rule (an email taken), or a row written for an account deleted meanwhile."""

import asyncpg
from sqlalchemy import exc
from sqlalchemy.exc import IntegrityError

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
    # A connection the server ended while it sat idle in the hot statements' pool: asyncpg
    # learns of it mid-statement, as "cannot switch to state ...; another operation is in
    # progress" (seen while PostgreSQL shuts down). Nothing else shares those connections,
    # so it means a lost connection, not a bug of ours.
    asyncpg.exceptions.InternalClientError,
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


def reference_gone(error: BaseException) -> bool:
    """Whether `error` is a foreign-key violation: a row written that refers to one deleted
    since it was read. Every reference leads to a user (directly, or through a session that
    cascades from it), and every one is ON DELETE CASCADE, so only the writing side can
    violate one: it means the account, or the session written for, was deleted meanwhile."""
    return any(isinstance(error, asyncpg.ForeignKeyViolationError) for error in _error_chain(error))


def _error_chain(error: BaseException | None):
    """`error`, then what it wraps: SQLAlchemy's `orig`, else the cause (cycles cut)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "orig", None) or error.__cause__


def translate_unique_violation(exc: IntegrityError, errors: dict[str, type[Exception]]) -> None:
    """Raise the domain error for a known unique constraint; the database is the
    arbiter, so two concurrent registrations cannot both win."""
    constraint = getattr(exc.orig.__cause__, "constraint_name", None)
    if constraint in errors:
        raise errors[constraint]() from exc
