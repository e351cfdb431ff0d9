"""A throw-away PostgreSQL database for a test session.

TEST_DATABASE_URL names a server the tests may create databases on: a fresh database is
created there and dropped afterwards (the named database itself is never touched).
Without it, an embedded PostgreSQL (pgserver) runs in a temporary directory.
"""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from infrastructure.persistence.embedded_postgres import EmbeddedPostgres
from infrastructure.persistence.migrate import migrate_url


@contextmanager
def test_database() -> Iterator[str]:
    """Yield the SQLAlchemy URL of a fresh, migrated database."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        with sibling_database(server_url) as url:
            asyncio.run(migrate_url(url))
            yield url
        return
    data_dir = Path(tempfile.mkdtemp(prefix="sesame-pg-"))
    embedded = EmbeddedPostgres(data_dir, database="sesame_test")
    try:
        url = embedded.start()
        asyncio.run(migrate_url(url))
        yield url
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


class RestartablePostgres:
    """An embedded PostgreSQL that a test may stop and start again, on the same data
    directory and socket (so the same URL): the fault tests' own, never the session's."""

    def __init__(self, data_dir: Path) -> None:
        self._embedded = EmbeddedPostgres(data_dir, database="sesame_test")
        self.url = self._embedded.start()

    def stop(self) -> None:
        """`pg_ctl stop` (fast: open connections are cut)."""
        self._embedded.stop()

    def start(self) -> None:
        url = self._embedded.start()
        assert url == self.url, (url, self.url)  # clients reconnect where they were


@contextmanager
def restartable_database() -> Iterator[RestartablePostgres]:
    """A migrated database on an embedded server of its own, whatever TEST_DATABASE_URL says."""
    data_dir = Path(tempfile.mkdtemp(prefix="sesame-pg-restartable-"))
    server = RestartablePostgres(data_dir)
    try:
        asyncio.run(migrate_url(server.url))
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def sibling_database(server_url: str) -> Iterator[str]:
    """A new, empty (unmigrated) database on the server of `server_url`, dropped afterwards."""
    url = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"sesame_test_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
