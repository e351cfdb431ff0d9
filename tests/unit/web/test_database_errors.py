"""A database that drops out mid-request answers 503 not_ready, one log line and no trace;
a failing query on a live database stays a 500 (a bug), unless it met a table or column
missing while the schema is not migrated yet (503 not_ready): the error handlers ask the
persistence layer and the readiness state which is which. An account deleted while its
request ran (AccountGone) is no failure of ours: 401, as for a dead session."""

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import exc as sa_exc

from domain.errors import AccountGone
from infrastructure.persistence.errors import DATABASE_ERRORS, database_unavailable, schema_missing
from web.edge.cookies import CookiePolicy
from web.errors import make_exception_handlers
from web.frontend import Frontend


def app_raising(error: Exception, schema_usable: bool = True) -> Litestar:
    @get("/")
    async def fails() -> None:
        raise error

    def schema_behind(exc: Exception) -> bool:  # as web.composition.adapters wires it, on a readiness flag
        return not schema_usable and schema_missing(exc)

    handlers = make_exception_handlers(
        CookiePolicy(secure=False), DATABASE_ERRORS, database_unavailable, schema_behind
    )
    return Litestar([fails], exception_handlers=handlers)


@pytest.mark.parametrize("error", [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
    asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
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


@pytest.mark.parametrize("error", [
    asyncpg.UndefinedTableError('relation "users" does not exist'),  # the /auth/me driver path
    asyncpg.UndefinedColumnError('column "phone_changed_at" does not exist'),
    sa_exc.ProgrammingError("INSERT ...", {}, asyncpg.UndefinedTableError('relation "rate_limits"')),
], ids=["table", "column", "wrapped"])
def test_a_schema_not_migrated_yet_is_503_not_ready_not_a_500(error, caplog):
    with TestClient(app_raising(error, schema_usable=False)) as client:
        answer = client.get("/")
    assert answer.status_code == 503
    assert answer.json() == {"error": "not_ready",
                             "message": "The database schema is not migrated to this version."}
    assert not [r for r in caplog.records if r.exc_info]  # one line, no traceback


def test_an_account_deleted_mid_request_is_401_not_authenticated_and_ends_the_session():
    with TestClient(app_raising(AccountGone())) as client:
        answer = client.get("/")
    assert answer.status_code == 401
    assert answer.json() == {"error": "not_authenticated", "message": "Sign in first."}
    cleared = {header.split("=", 1)[0] for header in answer.headers.get_list("set-cookie")
               if "Max-Age=0" in header}
    assert cleared == {"sid", "refresh_token"}


def test_a_provider_sign_in_into_an_account_deleted_meanwhile_ends_as_a_flow_that_is_over():
    assert Frontend("https://app.example").login_error_url(AccountGone()) == (
        "https://app.example/auth/login?error=invalid_state"
    )
