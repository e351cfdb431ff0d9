"""Every hot query finds its rows through an index, on tables big enough for the planner's
choice to mean something: 20 000 users with sessions, sids, refresh tokens, events and
finished outbox messages, ANALYZEd; the planner is left free (no enable_seqscan=off).

The statements are captured from the repositories themselves as they run, then EXPLAINed
with the same parameters: a change to a query is checked without touching this file."""

import hashlib
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from infrastructure.persistence.current_user import _BY_SID, SqlCurrentUserQuery
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.outbox.store import OutboxStore, SqlOutbox
from infrastructure.persistence.refresh_rotation import ROTATE
from infrastructure.persistence.tables import DefaultBase
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from tests.integration.conftest import CIPHER

ROWS = 20_000
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
USER = 4242  # one of the seeded users

# One statement per table, each row numbered g; digests are sha256 of a label and g, as below.
SEED = [
    """INSERT INTO users (id, email, username, password_hash, created_at, updated_at)
       SELECT md5('u' || g)::uuid, 'user' || g || '@example.com', 'User' || g, 'hash', :now, :now
       FROM generate_series(1, CAST(:rows AS int)) g""",
    """INSERT INTO profiles (user_id, firstname, lastname, updated_at)
       SELECT md5('u' || g)::uuid, 'Ada', 'L' || g, :now FROM generate_series(1, CAST(:rows AS int)) g""",
    """INSERT INTO accounts (id, user_id, provider, provider_account_id, linked_at, updated_at)
       SELECT md5('a' || g)::uuid, md5('u' || g)::uuid, 'google', 'g' || g, :now, :now
       FROM generate_series(1, CAST(:rows AS int), 10) g""",
    """INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent)
       SELECT md5('s' || g)::uuid, md5('u' || (g % CAST(:rows AS int) + 1))::uuid, CAST(:now AS timestamptz) - g * interval '1 s',
              CAST(:now AS timestamptz) + interval '30 days', :now, '198.51.100.4', 'agent'
       FROM generate_series(1, 2 * CAST(:rows AS int)) g""",
    """INSERT INTO session_sids (token_hash, session_id, expires_at)
       SELECT sha256(('sid-' || g)::bytea), md5('s' || g)::uuid, CAST(:now AS timestamptz) + interval '15 min'
       FROM generate_series(1, 2 * CAST(:rows AS int)) g""",
    """INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at)
       SELECT sha256(('rt-' || g)::bytea), md5('s' || g)::uuid, 0, :now
       FROM generate_series(1, 2 * CAST(:rows AS int)) g""",
    """INSERT INTO security_events (id, user_id, kind, detail, created_at)
       SELECT md5('e' || g)::uuid, md5('u' || (g % CAST(:rows AS int) + 1))::uuid, 'signed_in', '{}',
              CAST(:now AS timestamptz) - g * interval '1 s'
       FROM generate_series(1, 3 * CAST(:rows AS int)) g""",
    """INSERT INTO outbox_messages (id, channel, recipient, template, locale, payload, status,
                                    attempts, next_attempt_at, created_at, sent_at)
       SELECT md5('o' || g)::uuid, 'email', 'user' || g || '@example.com', 'verify_email', 'fr',
              '{}', CASE WHEN g % 1000 = 0 THEN 'pending' ELSE 'sent' END, 1,
              CAST(:now AS timestamptz) - g * interval '1 s', CAST(:now AS timestamptz) - g * interval '1 s', :now
       FROM generate_series(1, CAST(:rows AS int)) g""",
]
TABLES = ("users", "profiles", "accounts", "sessions", "session_sids", "refresh_tokens",
          "security_events", "outbox_messages")


def sha(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


@pytest.fixture(scope="module")
async def seeded(db_config):
    """Seeded once for the module: its tests only read, or change rows no other test reads."""
    engine = db_config.get_engine()
    tables = ", ".join(t.name for t in DefaultBase.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        for statement in SEED:
            await connection.execute(text(statement), {"now": NOW, "rows": ROWS})
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in TABLES:
            await connection.execute(text(f"ANALYZE {table}"))
    return engine


@contextmanager
def captured(engine):
    """The SQL statements (and their parameters) the engine sends meanwhile."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def plans_of(engine, statements) -> list[str]:
    """EXPLAIN of each captured statement, with its own parameters."""
    plans = []
    async with engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                continue  # INSERTs find no rows
            result = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plans.append("\n".join(result.scalars()))
        await connection.rollback()
    return plans


def assert_indexed(plans: list[str]) -> None:
    assert plans, "no statement captured"
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        assert "Index" in plan, plan


async def run_uow(db_config, work, commit: bool = False):
    async with SqlUnitOfWork(db_config.create_session_maker(), CIPHER, outbox=SqlOutbox) as uow:
        result = await work(uow)
        if commit:
            await uow.commit()
    return result


# A sid's digests: under SECRET_KEY alone, and during a rotation (the stored one is the fallback's).
KEY_RINGS = {"one key": [], "with a fallback": [sha("under-the-new-key")]}


@pytest.mark.parametrize("others", KEY_RINGS.values(), ids=KEY_RINGS.keys())
async def test_me_finds_sid_session_user_profile_and_providers_by_index(seeded, others):
    values = {"digests": [*others, sha(f"sid-{USER}")], "now": NOW}
    pool = DriverPool.of(seeded, 1)
    try:
        assert await SqlCurrentUserQuery(pool).user_by_sid(values["digests"], NOW) is not None
    finally:
        await pool.close()
    async with seeded.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        rows = await driver.fetch(f"EXPLAIN {_BY_SID.string}", *(values[k] for k in _BY_SID.positiontup))
    assert_indexed(["\n".join(row[0] for row in rows)])


@pytest.mark.parametrize("identifier", ["user4242@example.com", "user4242"])
async def test_login_lookups_use_indexes(seeded, db_config, identifier):
    with captured(seeded) as statements:
        assert await run_uow(db_config, lambda uow: uow.users.by_login(identifier)) is not None
    assert_indexed(await plans_of(seeded, statements))


async def test_refresh_claim_and_rotation_use_indexes(seeded, db_config):
    async def claim(uow):
        found = await uow.sessions.claim_refresh_token([sha(f"rt-{USER}")], NOW)
        await uow.sessions.touch(found.session.id, NOW)
        return found

    async def replay(uow):  # a token already rotated: the grace-window path
        return await uow.sessions.claim_refresh_token([sha(f"rt-{USER}")], NOW)

    with captured(seeded) as statements:
        assert (await run_uow(db_config, claim, commit=True)).rotated_at is None
        assert (await run_uow(db_config, replay)).rotated_at == NOW
    assert_indexed(await plans_of(seeded, statements))


@pytest.mark.parametrize("others", KEY_RINGS.values(), ids=KEY_RINGS.keys())
async def test_the_one_statement_rotation_uses_indexes(seeded, others):
    """The usual refresh (refresh_rotation.ROTATE); EXPLAIN without ANALYZE runs nothing."""
    values = ([*others, sha(f"rt-{USER}")], sha("successor"), sha("new-sid"), NOW, NOW + timedelta(minutes=15))
    async with seeded.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        rows = await driver.fetch(f"EXPLAIN {ROTATE}", *values)
    assert_indexed(["\n".join(row[0] for row in rows)])


async def test_sessions_and_events_lists_and_revocations_use_indexes(seeded, db_config):
    user_id = await seeded_user_id(seeded)

    async def lists(uow):  # login's new-device check, and what logout and "sign out" do (rolled back)
        session_id = await uow.sessions.session_id_by_sid([sha(f"sid-{USER - 1}")])  # one of USER's two
        assert len(await uow.sessions.clients_seen(user_id, 20)) == 2
        return (await uow.sessions.live_for_user(user_id, NOW), await uow.events.for_user(user_id, 50),
                await uow.sessions.revoke(session_id, NOW, "logout"),
                await uow.sessions.revoke_all_for_user(user_id, NOW, "signed_out", keep=session_id))

    with captured(seeded) as statements:
        sessions, events, revoked_user, others = await run_uow(db_config, lists)
    assert len(sessions) == 2 and len(events) == 3 and revoked_user == user_id and others == 1
    assert_indexed(await plans_of(seeded, statements))


async def test_outbox_claim_uses_the_due_index(seeded):
    with captured(seeded) as statements:
        claimed = await OutboxStore(seeded, CIPHER).claim(NOW, 10)
    assert claimed  # the pending ones (their secret is missing: claimed with no message)
    assert_indexed(await plans_of(seeded, statements))


async def seeded_user_id(engine):
    async with engine.connect() as connection:
        return await connection.scalar(text("SELECT md5(:label)::uuid"), {"label": f"u{USER}"})


@pytest.mark.parametrize("table", ["session_sids", "sessions", "refresh_tokens", "outbox_messages", "security_events"])
async def test_the_purge_finds_doomed_rows_by_index(seeded, table):
    from infrastructure.persistence.housekeeping import purge_expired

    with captured(seeded) as statements:
        deleted = await purge_expired(seeded, NOW)  # nothing is due yet: only the plans matter
    assert deleted[table] == 0
    assert_indexed(await plans_of(seeded, [(s, p) for s, p in statements if f"DELETE FROM {table} " in s]))
