"""The purge as the service runs it (supervised): cut mid-DELETE by the server going away
("terminating connection due to administrator command", as during a PostgreSQL restart) it
says so in one line, with no traceback, and purges again once the database answers."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.clock import SystemClock
from infrastructure.persistence.engine import asyncpg_url
from infrastructure.persistence.housekeeping import PeriodicPurge
from infrastructure.persistence.readiness import SchemaReadiness
from infrastructure.supervisor import Job, Supervisor

PURGE = "sesame-purge-under-test"  # its connections' application_name, to find and cut them
BOUND = 30  # seconds: a bound on waits that end by themselves, not a timing


@pytest.fixture
async def purge_engine(engine, database_url):
    purging = create_async_engine(asyncpg_url(database_url),
                                  connect_args={"server_settings": {"application_name": PURGE}})
    yield purging
    await purging.dispose()


async def test_a_purge_cut_by_the_server_going_away_is_one_line_and_runs_again(
    purge_engine, database_url, caplog
):
    dsn = database_url.replace("postgresql+asyncpg", "postgresql")
    # Two connections: pg_stat_activity is read once per transaction, so not by the locker.
    admin, locker = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        await admin.execute("INSERT INTO rate_limits (key, window_start, hits) VALUES ('doomed', $1, 1)",
                            datetime.now(UTC) - timedelta(days=2))
        lock = locker.transaction()
        await lock.start()
        await locker.execute("LOCK TABLE session_sids IN ACCESS EXCLUSIVE MODE")  # the purge's first DELETE waits
        jobs = Supervisor(SchemaReadiness(purge_engine).usable_now,
                          [Job("purge", PeriodicPurge(purge_engine, SystemClock()).run)], first_delay=0)
        await jobs.start()
        try:
            await until(lambda: admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                PURGE))
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                                PURGE)
            await lock.rollback()
            await until(lambda: gone(admin))  # purged by the restarted run
        finally:
            await jobs.stop()
    finally:
        await admin.close()
        await locker.close()
    stops = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(stops) == 1, [r.getMessage() for r in stops]
    assert "purge stopped, the database does not answer" in stops[0].getMessage()
    assert "terminating connection due to administrator command" in stops[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)  # no traceback anywhere


async def gone(admin: asyncpg.Connection) -> bool:
    return await admin.fetchval("SELECT count(*) FROM rate_limits WHERE key = 'doomed'") == 0


async def until(condition) -> None:
    async with asyncio.timeout(BOUND):
        while not await condition():
            await asyncio.sleep(0.05)
