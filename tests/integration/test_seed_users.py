"""bench/seed_users.py (the scale benchmark's seed) writes sessions the service accepts."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.driver_pool import DriverPool
from infrastructure.persistence.engine import asyncpg_url
from infrastructure.persistence.sessions import SqlSessionRepository
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.tokens import HmacTokenMinter

from bench import seed_users

SECRET = "seed-test-secret-key-0123456789abcdef"


def test_seeded_users_can_log_in_and_their_tokens_are_live(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    sample = tmp_path / "sample.tsv"
    seed_users.main(["--users", "30", "--start", "900000", "--batch", "7", "--sample", "3",
                     "--database-url", database_url, "--sample-file", str(sample)])
    rows = [line.split("\t") for line in sample.read_text().splitlines()]
    assert len(rows) == 3
    asyncio.run(check(database_url, rows))


async def check(database_url: str, rows: list[list[str]]) -> None:
    engine = create_async_engine(asyncpg_url(database_url))
    pool = DriverPool.of(engine, 1)
    minter, hasher, now = HmacTokenMinter(SECRET), Argon2PasswordHasher(), datetime.now(UTC)
    try:
        async with engine.connect() as connection:
            counts = [(await connection.execute(text(
                f"SELECT count(*) FROM {table} JOIN users ON users.id = {key} "
                "WHERE users.email LIKE 'seed9%'"))).scalar_one()
                for table, key in (("profiles", "profiles.user_id"), ("sessions", "sessions.user_id"),
                                   ("security_events", "security_events.user_id"))]
        assert counts == [30, 30, 30]
        for email, password, sid, refresh in rows:
            user = await SqlCurrentUserQuery(pool).user_by_sid([minter.digest(sid)], now)
            assert user is not None and user.email == email and user.email_verified_at is not None
            assert (await hasher.verify(password, user.password_hash)).valid
            async with engine.connect() as connection, AsyncSession(bind=connection) as session:
                claim = await SqlSessionRepository(session).claim_refresh_token([minter.digest(refresh)], now)
            assert claim is not None and claim.rotated_at is None and claim.session.user_id == user.id
    finally:
        hasher.close()
        await pool.close()
        await engine.dispose()
