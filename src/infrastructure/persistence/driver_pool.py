"""asyncpg connections for the two hot statements (/auth/me's SELECT, refresh's rotation),
without a general-purpose pool in between.

Each takes one statement, outside any transaction, so it needs nothing of a pool but a free
connection: SQLAlchemy's async pool checks one out and back in with three greenlet switches,
asyncpg's wraps it in a proxy, a future, a timer and a shielded task, about a fifth of
/auth/me's CPU either way (docs/performance.md). Here a connection is taken from a list and
put back; it is not reset, as these statements leave no session state behind. Connections
open on first use (a database that is down at start only makes these requests answer 503
until it is back), and one that was closed (the server restarted) is dropped for a new one.

Each connection prepares a statement once and keeps it (asyncpg's statement cache): one round
trip a request. Behind a transaction-pooling PgBouncer (`pgbouncer=True`) a prepared
statement would not outlive its transaction's server connection, so none is kept: each
statement is parsed unnamed and run in the same exchange (PGBOUNCER_DRIVER_OPTIONS).
"""

import asyncio
from collections import deque

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.engine import CONNECT_TIMEOUT, PGBOUNCER_DRIVER_OPTIONS
from infrastructure.persistence.errors import SERVER_GOING_AWAY

ACQUIRE_TIMEOUT = 10  # seconds, as SQLAlchemy's pool_timeout; a TimeoutError is an OSError: 503


class DriverPool:
    def __init__(self, dsn: str, size: int, *, pgbouncer: bool = False) -> None:
        self._dsn = dsn
        self._size = size
        self._options = PGBOUNCER_DRIVER_OPTIONS if pgbouncer else {}
        self._idle: list[asyncpg.Connection] = []
        self._opened = 0  # idle, in use, or connecting
        self._waiters: deque[asyncio.Future] = deque()
        self._closed = False

    @classmethod
    def of(cls, engine: AsyncEngine, size: int, *, pgbouncer: bool = False) -> "DriverPool":
        """On the database of `engine`, with its credentials."""
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return cls(dsn, size, pgbouncer=pgbouncer)

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        connection = await self._take()
        try:
            row = await connection.fetchrow(query, *args)
        except SERVER_GOING_AWAY:  # it is closing this connection: its end may not have arrived yet
            self._discard(connection)
            raise
        except asyncpg.PostgresError:  # the server refused the statement: the connection is fine
            self._give_back(connection)
            raise
        except BaseException:  # cancelled or cut mid-statement: not reusable as it is
            self._discard(connection)
            raise
        self._give_back(connection)
        return row

    def usage(self) -> tuple[int, int, int]:
        """(in use, idle, not opened yet): what the pool gauges show."""
        idle = len(self._idle)
        return self._opened - idle, idle, max(0, self._size - self._opened)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._opened -= 1
            await connection.close()

    async def _take(self) -> asyncpg.Connection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
            self._opened -= 1
        if self._opened < self._size:
            self._opened += 1
            try:
                return await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT, **self._options)
            except BaseException:
                self._opened -= 1
                self._wake_one()  # a waiter may now open one itself
                raise
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            connection = await asyncio.wait_for(waiter, ACQUIRE_TIMEOUT)
        except BaseException:
            self._pass_on(waiter)
            raise
        return connection if connection is not None else await self._take()

    def _pass_on(self, waiter: asyncio.Future) -> None:
        """A waiter gave up (timeout, cancelled): what it was handed goes to the next one."""
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        elif waiter.done() and not waiter.cancelled():
            handed = waiter.result()
            if handed is None:
                self._wake_one()
            else:
                self._give_back(handed)

    def _give_back(self, connection: asyncpg.Connection) -> None:
        if connection.is_closed() or self._closed:
            self._discard(connection)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _discard(self, connection: asyncpg.Connection) -> None:
        self._opened -= 1
        if not connection.is_closed():
            connection.terminate()
        self._wake_one()

    def _wake_one(self) -> None:
        """A place to open a connection is free: the first waiter takes it (result None)."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
