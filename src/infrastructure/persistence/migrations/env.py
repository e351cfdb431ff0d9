"""Alembic environment: used by migrate() (`python -m web migrate`, MIGRATE_ON_START)."""

import asyncio

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from infrastructure.persistence import tables
from infrastructure.persistence.schema_version import VERSION_TABLE

config = context.config
target_metadata = tables.DefaultBase.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
        user_module_prefix="sa.",  # autogenerate writes sa.GUID, sa.DateTimeUTC
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = config.engine.url if getattr(config, "engine", None) else config.get_main_option("sqlalchemy.url")
    engine = async_engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.db_url, target_metadata=target_metadata, literal_binds=True,
                      version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
elif (shared := config.attributes.get("connection")) is not None:
    run_with(shared)  # migrate(): the caller owns the transaction
else:
    asyncio.run(run_online())
