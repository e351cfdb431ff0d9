"""The driver pool hands a connection out again only when it is fit for the next statement."""

import asyncpg
import pytest

from infrastructure.persistence.driver_pool import DriverPool


class Connection:
    """Still open as far as the client knows: the server's goodbye has not been read yet."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.terminated = False

    async def fetchrow(self, *_):
        raise self.error

    def is_closed(self) -> bool:
        return self.terminated

    def terminate(self) -> None:
        self.terminated = True


@pytest.mark.parametrize("going_away", [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CrashShutdownError("terminating connection because of crash of another server process"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
])
async def test_a_server_going_away_takes_the_connection_with_it(going_away):
    # Handed out again, its protocol would still be mid-operation: "cannot switch to state 12;
    # another operation is in progress" (a 500) for the next /auth/me.
    pool = DriverPool("postgresql://unused", 1)
    connection = Connection(going_away)
    pool._idle.append(connection)
    pool._opened = 1
    with pytest.raises(type(going_away)):
        await pool.fetchrow("SELECT 1")
    assert connection.terminated and pool._idle == [] and pool._opened == 0


async def test_a_refused_statement_keeps_the_connection():
    pool = DriverPool("postgresql://unused", 1)
    connection = Connection(asyncpg.UniqueViolationError("duplicate key"))
    pool._idle.append(connection)
    pool._opened = 1
    with pytest.raises(asyncpg.UniqueViolationError):
        await pool.fetchrow("SELECT 1")
    assert pool._idle == [connection] and not connection.terminated


class Answering:
    async def fetchrow(self, *_):
        return None

    def is_closed(self) -> bool:
        return False


@pytest.mark.parametrize(("pgbouncer", "options"), [
    (False, {"timeout": 5}),  # asyncpg's statement cache: prepared once, one round trip after
    (True, {"timeout": 5, "statement_cache_size": 0}),  # unnamed statements only
])
async def test_behind_pgbouncer_no_statement_is_kept_prepared(monkeypatch, pgbouncer, options):
    opened = []

    async def connect(dsn, **given):
        opened.append(given)
        return Answering()

    monkeypatch.setattr(asyncpg, "connect", connect)
    pool = DriverPool("postgresql://unused", 1, pgbouncer=pgbouncer)
    await pool.fetchrow("SELECT 1")
    assert opened == [options]


@pytest.mark.parametrize(("pgbouncer", "extra"), [
    (False, {}),
    (True, {"statement_cache_size": 0, "prepared_statement_cache_size": 0}),
])
def test_behind_pgbouncer_sqlalchemy_prepares_no_named_statement(pgbouncer, extra):
    from infrastructure.persistence.engine import database_config

    config = database_config("postgresql://db/x", pgbouncer=pgbouncer)
    assert config.engine_config.connect_args == {"timeout": 5, **extra}
