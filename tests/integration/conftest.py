from dataclasses import dataclass

import pytest
from sqlalchemy import text

from application.ports.persistence import CurrentUserQuery, RefreshRotation, UnitOfWorkFactory
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.engine import database_config
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.refresh_rotation import SqlRefreshRotation
from infrastructure.persistence.tables import DefaultBase
from infrastructure.outbox.store import SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.security.cipher import TokenCipher
from tests.fakes import FakeUnitOfWork, InMemoryCurrentUserQuery, InMemoryDatabase, InMemoryRefreshRotation

CIPHER = TokenCipher("integration-test-secret-key-0123456789")


@pytest.fixture(scope="session")
async def db_config(database_url):
    config = database_config(database_url)
    yield config
    await config.get_engine().dispose()


@pytest.fixture(scope="session")
async def driver_pool(db_config):
    """The hot statements' connections, shared by every test (each would keep its own)."""
    pool = DriverPool.of(db_config.get_engine(), 4)
    yield pool
    await pool.close()


@pytest.fixture
async def engine(db_config):
    engine = db_config.get_engine()
    tables = ", ".join(t.name for t in DefaultBase.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    return engine


@dataclass
class Store:
    new_uow: UnitOfWorkFactory
    current_user: CurrentUserQuery
    rotation: RefreshRotation


@pytest.fixture(params=["memory", "postgres"])
def store(request) -> Store:
    """The same contract, run against the fakes and against PostgreSQL."""
    if request.param == "memory":
        db = InMemoryDatabase()
        return Store(lambda: FakeUnitOfWork(db), InMemoryCurrentUserQuery(db), InMemoryRefreshRotation(db))
    request.getfixturevalue("engine")  # empty tables
    maker = request.getfixturevalue("db_config").create_session_maker()
    pool = request.getfixturevalue("driver_pool")
    return Store(
        lambda: SqlUnitOfWork(maker, CIPHER, outbox=SqlOutbox), SqlCurrentUserQuery(pool), SqlRefreshRotation(pool)
    )
