"""Which database errors mean "out of reach" (503 not_ready, retried later) and which are bugs
(500): raw asyncpg errors (the prepared /auth/me query) and SQLAlchemy's wrapped ones alike."""

import asyncpg
import pytest
from sqlalchemy import exc

from infrastructure.persistence.errors import DATABASE_ERRORS, database_unavailable, reference_gone


def wrapped(error: Exception, invalidated: bool = False) -> exc.DBAPIError:
    """As SQLAlchemy's asyncpg adapter raises it: its own error, caused by the driver's."""
    adapted = Exception(str(error))
    adapted.__cause__ = error
    return exc.DBAPIError("SELECT 1", {}, adapted, connection_invalidated=invalidated)


GONE = [
    ConnectionRefusedError(111, "Connection refused"),
    FileNotFoundError(2, "No such file or directory"),  # the Unix socket of a stopped server
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CrashShutdownError("terminating connection because of crash of another server process"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
]
BUGS = [
    asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.UndefinedTableError('relation "users" does not exist'),
]


@pytest.mark.parametrize("error", GONE, ids=lambda e: type(e).__name__)
def test_an_unreachable_database_is_told_raw_or_wrapped(error):
    assert isinstance(error, DATABASE_ERRORS)
    assert database_unavailable(error)
    assert database_unavailable(wrapped(error))


@pytest.mark.parametrize("error", BUGS, ids=lambda e: type(e).__name__)
def test_a_query_that_fails_on_a_live_database_is_not_an_outage(error):
    assert isinstance(error, DATABASE_ERRORS)
    assert not database_unavailable(error)
    assert not database_unavailable(wrapped(error))


def test_a_connection_sqlalchemy_found_dead_is_an_outage():
    assert database_unavailable(wrapped(RuntimeError("whatever the driver said"), invalidated=True))
    assert database_unavailable(exc.OperationalError("SELECT 1", {}, Exception("gone")))


def test_a_row_written_for_one_deleted_meanwhile_is_a_reference_gone():
    violation = asyncpg.ForeignKeyViolationError('insert or update on table "sessions" violates foreign key constraint')
    integrity = exc.IntegrityError("INSERT ...", {}, Exception("adapted"))
    integrity.orig.__cause__ = violation
    assert reference_gone(violation)
    assert reference_gone(integrity)
    assert not database_unavailable(integrity)


@pytest.mark.parametrize("error", [*BUGS, *GONE], ids=lambda e: type(e).__name__)
def test_no_other_error_is_a_reference_gone(error):
    assert not reference_gone(error)
    assert not reference_gone(wrapped(error))
