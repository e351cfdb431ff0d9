"""Ready means "the schema is at the head revision": an unmigrated database answers
SELECT 1 while every request fails."""

import asyncio
import subprocess
import sys

import pytest
from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.persistence.engine import asyncpg_url
from infrastructure.persistence.migrate import migrate_in_child, migrate_url
from infrastructure.persistence.schema_version import VERSION_TABLE, schema_head, schema_state
from tests.support.database import sibling_database
from tests.support.server import ROOT


async def _state(url: str, statement: str | None = None):
    engine = create_async_engine(asyncpg_url(url), poolclass=NullPool)
    try:
        if statement:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        return await schema_state(engine, schema_head())
    finally:
        await engine.dispose()


def test_an_unmigrated_database_is_not_at_the_head_then_migrating_gets_it_there(database_url):
    with sibling_database(database_url) as url:
        unmigrated = asyncio.run(_state(url))
        assert unmigrated.revision is None and not unmigrated.current
        assert asyncio.run(migrate_url(url)) == schema_head()
        assert asyncio.run(_state(url)).current


def test_a_database_at_another_revision_is_not_current(database_url):
    with sibling_database(database_url) as url:
        asyncio.run(migrate_url(url))
        state = asyncio.run(_state(url, f"UPDATE {VERSION_TABLE} SET version_num = 'older'"))
        assert state.revision == "older" and not state.current



MIGRATE_AT_START = """
import asyncio, sys
from infrastructure.persistence.migrate import migrate_in_child
asyncio.run(migrate_in_child(sys.argv[1]))
print(sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "mako")))
"""


def test_migrating_at_start_happens_in_a_child_and_alembic_stays_out_of_the_server(database_url):
    with sibling_database(database_url) as url:
        started = subprocess.run([sys.executable, "-c", MIGRATE_AT_START, url], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == "[]"  # the migration ran, but not in this process
        assert asyncio.run(_state(url)).current


def test_a_failed_migration_at_start_fails_the_start_with_the_child_s_error(database_url):
    with sibling_database(database_url) as url:
        gone = url.rsplit("/", 1)[0] + "/sesame_no_such_database"
        with pytest.raises(RuntimeError, match="Migrating the database failed") as failed:
            asyncio.run(migrate_in_child(gone))
        assert "sesame_no_such_database" in str(failed.value)
