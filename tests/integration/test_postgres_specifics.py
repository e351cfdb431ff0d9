"""What only the real database can show: query plans, round trips, providers, migrations."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta


import asyncpg
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from domain.flows import PendingLink, ProviderFlow
from domain.identities import ProviderIdentity
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.errors import database_unavailable
from infrastructure.persistence.migrate import migrate
from infrastructure.persistence.schema_version import schema_head
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.refresh_rotation import SqlRefreshRotation
from infrastructure.persistence.tables import AccountRow
from tests.integration.conftest import CIPHER, Store
from tests.integration.test_session_repository import NOW, digest, new_session
from infrastructure.outbox.store import SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork


def sql_store(db_config, driver_pool) -> Store:
    maker = db_config.create_session_maker()
    return Store(
        lambda: SqlUnitOfWork(maker, CIPHER, outbox=SqlOutbox),
        SqlCurrentUserQuery(driver_pool), SqlRefreshRotation(driver_pool),
    )


async def messages_sent(pool: DriverPool, call) -> tuple[object, list[bytes]]:
    """What `call` writes to the server on the pool's one (warm) connection."""
    await call()  # warm: connected, statement prepared
    [connection] = pool._idle
    transport = connection._transport
    writes: list[bytes] = []
    original = transport.write
    transport.write = lambda data: (writes.append(bytes(data)), original(data))[1]
    try:
        return await call(), writes
    finally:
        del transport.write


async def test_me_is_one_round_trip(engine, db_config, driver_pool):
    """Once warm, /auth/me's query is one message to the server and one answer: no
    BEGIN/ROLLBACK around it, no PREPARE, no reset of the connection. Counted on the socket."""
    session = await new_session(sql_store(db_config, driver_pool))
    single = DriverPool.of(engine, 1)  # always the warm one
    query = SqlCurrentUserQuery(single)
    try:
        user, writes = await messages_sent(single, lambda: query.user_by_sid([digest(f"s0-{session.id}")], NOW))
    finally:
        await single.close()
    assert user is not None
    assert len(writes) == 1
    assert writes[0][:1] == b"B"  # Bind (+Execute+Sync): a prepared statement, run once


async def test_a_me_query_cut_short_leaves_no_broken_connection_in_the_pool(engine, db_config, driver_pool):
    """The /auth/me query runs on the driver itself: when the server cuts it short (as
    PostgreSQL shutting down does), that connection must not be handed out again, or the
    next request that takes it fails on it."""
    session = await new_session(sql_store(db_config, driver_pool))
    single = DriverPool.of(engine, 1)  # one connection, so the next query would take the same
    query = SqlCurrentUserQuery(single)
    sid = digest(f"s0-{session.id}")
    try:
        backend = (await single.fetchrow("SELECT pg_backend_pid() AS pid"))["pid"]
        async with engine.connect() as locker:
            await locker.execute(text("LOCK TABLE session_sids IN ACCESS EXCLUSIVE MODE"))
            blocked = asyncio.create_task(query.user_by_sid([sid], NOW))
            await asyncio.sleep(0.5)
            async with engine.connect() as admin:
                await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            with pytest.raises(Exception) as cut:
                await blocked
            assert database_unavailable(cut.value)  # a 503 not_ready
            await locker.rollback()
        assert (await query.user_by_sid([sid], NOW)) is not None
    finally:
        await single.close()


async def test_a_refresh_rotation_is_one_round_trip(engine, db_config, driver_pool):
    session = await new_session(sql_store(db_config, driver_pool))
    single = DriverPool.of(engine, 1)
    rotation = SqlRefreshRotation(single)
    tokens = iter([f"r0-{session.id}", f"r0-{session.id}+"])  # the warm-up's, then its successor's

    async def rotate():
        presented = next(tokens)
        return await rotation.rotate([digest(presented)], digest(presented + "+"), digest(presented + "sid"),
                                     NOW, timedelta(minutes=15))

    try:
        rotated, writes = await messages_sent(single, rotate)
    finally:
        await single.close()
    assert rotated is not None
    assert len(writes) == 1 and writes[0][:1] == b"B"


async def test_the_driver_pool_shares_a_few_connections(engine):
    pool = DriverPool.of(engine, 2)
    try:
        rows = await asyncio.gather(*(pool.fetchrow("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)")
                                      for _ in range(20)))
        assert len({row["pid"] for row in rows}) <= 2
        with pytest.raises(asyncpg.PostgresError):  # a refused statement leaves its connection usable
            await pool.fetchrow("SELECT 1/0")
        cut = await pool.fetchrow("SELECT pg_backend_pid() AS pid")
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            await pool.fetchrow("SELECT pg_terminate_backend(pg_backend_pid())")
        assert (await pool.fetchrow("SELECT 1 AS one"))["one"] == 1  # a new connection replaced it
        assert cut["pid"]
    finally:
        await pool.close()


async def test_providers_come_with_the_user(engine, db_config, driver_pool):
    store = sql_store(db_config, driver_pool)
    session = await new_session(store)
    async with engine.begin() as connection:
        await connection.execute(insert(AccountRow).values(
            id=uuid.uuid4(), user_id=session.user_id, provider="google", provider_account_id="g-1",
            linked_at=NOW, updated_at=NOW))
    user = await SqlCurrentUserQuery(driver_pool).user_by_sid([digest(f"s0-{session.id}")], NOW)
    assert user.providers == ("google",)
    async with store.new_uow() as uow:
        assert (await uow.users.by_login(user.email)).providers == ("google",)


# Query plans (index scans only, on seeded and ANALYZEd tables): test_query_plans.py


async def test_migrating_again_is_a_no_op(engine):
    await migrate(engine)
    async with engine.connect() as connection:
        version = (await connection.execute(text("SELECT version_num FROM alembic_versions"))).scalar_one()
    assert version == schema_head()


async def test_a_phone_number_is_unique_only_once_verified(engine):
    insert = text(
        "INSERT INTO users (id, phone_number, phone_verified_at, created_at, updated_at) "
        "VALUES (:id, '+33612345678', :verified, now(), now())"
    )
    async with engine.begin() as connection:  # two accounts may type the same number
        for _ in range(2):
            await connection.execute(insert, {"id": uuid.uuid4(), "verified": None})
        await connection.execute(insert, {"id": uuid.uuid4(), "verified": datetime.now(UTC)})
    with pytest.raises(IntegrityError, match="uq_users_phone_verified"):
        async with engine.begin() as connection:  # but only one may have it verified
            await connection.execute(insert, {"id": uuid.uuid4(), "verified": datetime.now(UTC)})


async def test_emails_are_stored_lower_case_only(engine):
    async with engine.begin() as connection:
        try:
            await connection.execute(text(
                "INSERT INTO users (id, email, created_at, updated_at) VALUES (:id, 'Ada@X.io', now(), now())"),
                {"id": uuid.uuid4()})
        except Exception as exc:
            assert "email_lowercase" in str(exc)
        else:
            raise AssertionError("mixed-case email accepted")


async def test_purge_deletes_only_what_can_no_longer_be_used(engine, db_config, driver_pool):
    from datetime import timedelta

    from infrastructure.persistence.housekeeping import purge_expired

    store = sql_store(db_config, driver_pool)
    live = await new_session(store)
    await new_session(store, expires_at=NOW + timedelta(days=1))  # dead for 31 days by then (RETENTION_DAYS: 30)
    async with store.new_uow() as uow:
        await uow.flows.add(ProviderFlow(b"s" * 32, b"b" * 32, "google", "n", "v", NOW, NOW + timedelta(minutes=10)))
        await uow.pending_links.add(PendingLink(
            b"p" * 32, live.user_id, ProviderIdentity("google", "g-1"), NOW, NOW + timedelta(minutes=10)))
        await uow.commit()
    later = NOW + timedelta(days=32)
    await purge_expired(engine, later)
    async with engine.connect() as connection:
        sessions = set((await connection.execute(text("SELECT id FROM sessions"))).scalars())
        sids = (await connection.execute(text("SELECT count(*) FROM session_sids"))).scalar_one()
        tokens = set((await connection.execute(text("SELECT session_id FROM refresh_tokens"))).scalars())
        flows = (await connection.execute(text("SELECT count(*) FROM oauth_flows"))).scalar_one()
        pending = (await connection.execute(text("SELECT count(*) FROM pending_links"))).scalar_one()
    assert sessions == tokens == {live.id}
    assert sids == 0  # both sids had expired
    assert flows == pending == 0


async def test_the_connection_limit_is_read_from_the_server(engine, database_url):
    from infrastructure.persistence.engine import connection_limit

    async with engine.connect() as connection:
        settings = (await connection.execute(text(
            "SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int"
        ))).one()
    assert await connection_limit(database_url) == settings[0] - settings[1]
    assert await connection_limit("postgresql://postgres@127.0.0.1:9/nowhere", timeout=1) is None


async def test_the_purge_goes_batch_by_batch_until_nothing_is_left(engine, db_config, driver_pool):
    from datetime import timedelta

    from infrastructure.persistence.housekeeping import purge_expired

    store = sql_store(db_config, driver_pool)
    sessions = [await new_session(store, expires_at=NOW + timedelta(days=1)) for _ in range(5)]
    live = await new_session(store)
    deleted = await purge_expired(engine, NOW + timedelta(days=32), batch=2)  # 3 batches each
    async with engine.connect() as connection:
        left = set((await connection.execute(text("SELECT id FROM sessions"))).scalars())
        tokens = (await connection.execute(text("SELECT count(*) FROM refresh_tokens"))).scalar_one()
    assert left == {live.id} and tokens == 1
    assert deleted["sessions"] == len(sessions) and deleted["session_sids"] == len(sessions) + 1
