"""A database that drops out mid-request answers 503 not_ready, one log line and no trace;
a failing query on a live database stays a 500 (a bug): the error handlers ask the
persistence layer which is which."""

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from infrastructure.persistence.database import DATABASE_ERRORS, database_unavailable
from web.cookies import CookiePolicy
from web.errors import make_exception_handlers


def app_raising(error: Exception) -> Litestar:
    @get("/")
    async def fails() -> None:
        raise error

    handlers = make_exception_handlers(CookiePolicy(secure=False), DATABASE_ERRORS, database_unavailable)
    return Litestar([fails], exception_handlers=handlers)


@pytest.mark.parametrize("error", [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
    FileNotFoundError(2, "No such file or directory"),
], ids=lambda e: type(e).__name__)
def test_a_database_gone_mid_request_is_503_not_ready(error):
    with TestClient(app_raising(error)) as client:
        answer = client.get("/")
    assert answer.status_code == 503
    assert answer.json() == {"error": "not_ready", "message": "The database does not answer."}


def test_a_query_failing_on_a_live_database_is_a_500_without_details():
    with TestClient(app_raising(asyncpg.UndefinedTableError('relation "users" does not exist'))) as client:
        answer = client.get("/")
    assert answer.status_code == 500
    assert answer.json() == {"error": "server", "message": "Something went wrong on our side."}
