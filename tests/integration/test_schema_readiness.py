"""Ready means "the schema is at the head revision": an unmigrated database answers
SELECT 1 while every request fails."""

import asyncio

from sqlalchemy import NullPool, text
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.persistence.database import (
    VERSION_TABLE,
    asyncpg_url,
    migrate_url,
    schema_head,
    schema_state,
)
from tests.support.database import sibling_database


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

