"""Bringing the schema to head: Alembic's migrations (migrations/), in one transaction,
one process at a time. Alembic is imported only here, and only to migrate: `python -m web
migrate`, and MIGRATE_ON_START's child process (this module run as a script), so that it
never enters a serving process (schema_version.py tells where the schema stands without it)."""

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.engine import tool_engine
from infrastructure.persistence.problems import DatabaseProblem, database_problem
from infrastructure.persistence.schema_version import schema_head, schema_state

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# pg advisory lock: one process migrates, the others wait. Transaction-scoped (xact), so it
# holds behind a transaction-pooling PgBouncer too: the migration is one transaction.
_MIGRATION_LOCK = 0x5E5A3E


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


def migrations_head() -> str | None:
    """The head of the migrations' script directory, as Alembic reads it (tests, tools)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


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
