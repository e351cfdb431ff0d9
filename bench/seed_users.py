"""Seed N users straight into PostgreSQL with COPY, for the scale benchmark (docs/scaling.md).

    .venv/bin/python -m bench.seed_users --users 1000000 --database-url postgresql://postgres@127.0.0.1/db

Each user gets what a password registration and one login leave behind: a `users` row (email
`seed<i>@example.com`, verified), a profile, a `signed_in` security event, and one live
session with one sid and one refresh token (generation 0). Every user has the same password,
hashed ONCE with the service's own hasher (argon2id m=19 MiB, t=2) and reused: a million
hashes would take hours and measure nothing. Token digests are the service's own
(HmacTokenMinter under SECRET_KEY), so seeded sessions are valid for a server running with
the same SECRET_KEY (the development one by default).

The plaintext credentials and tokens of a sample of users go to `--sample-file` (TSV: email,
password, sid, refresh token) for load drivers. The schema is migrated first; the tables are
VACUUM ANALYZEd at the end, so the planner (and the visibility map) see the real sizes.

Not part of the service: nothing under src/ imports it.
"""

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import uuid_utils

from infrastructure.persistence.engine import asyncpg_url
from infrastructure.persistence.migrate import migrate_url
from infrastructure.security.passwords import Argon2PasswordHasher
from infrastructure.security.tokens import HmacTokenMinter
from infrastructure.settings import load_settings

PASSWORD = "Seed-pass-Xy7!"  # every seeded user's password
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
TABLES = ("users", "profiles", "security_events", "sessions", "session_sids", "refresh_tokens")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--start", type=int, default=0, help="first index (seed<start>@example.com)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: DATABASE_URL (the server's own database)")
    parser.add_argument("--batch", type=int, default=50_000, help="rows per COPY (one transaction each)")
    parser.add_argument("--sample", type=int, default=1_000, help="users whose tokens go to --sample-file")
    parser.add_argument("--sample-file", default="seeded-sample.tsv")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required: the embedded server is not seeded")
    return args


def uuid7() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


class Batch:
    """The rows of one batch of users, table by table, in COPY order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}

    def add_user(self, i: int, password_hash: str, minter: HmacTokenMinter, now: datetime,
                 session_ttl: timedelta, refresh_ttl: timedelta) -> tuple[str, str, str]:
        user_id, session_id = uuid7(), uuid7()
        # Logins spread over the refresh lifetime's first half: every session is still live.
        created = now - timedelta(seconds=random.randrange(int(refresh_ttl.total_seconds() // 2)))
        email = f"seed{i}@example.com"
        sid, refresh = minter.new_token(), minter.new_token()
        ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        self.rows["users"].append(
            (user_id, email, created, "link", None, None, None, password_hash, created, created, created))
        self.rows["profiles"].append((user_id, "Seed", f"User{i}", None, None, created))
        self.rows["security_events"].append(
            (uuid7(), user_id, "signed_in", '{"method": "password"}', ip, USER_AGENT, created))
        self.rows["sessions"].append(
            (session_id, user_id, created, created + refresh_ttl, now, None, None, ip, USER_AGENT))
        self.rows["session_sids"].append((minter.digest(sid), session_id, now + session_ttl))
        self.rows["refresh_tokens"].append((minter.digest(refresh), session_id, 0, created, None))
        return email, sid, refresh


COLUMNS = {
    "users": ("id", "email", "email_verified_at", "email_verified_via", "username", "phone_number",
              "phone_verified_at", "password_hash", "password_changed_at", "created_at", "updated_at"),
    "profiles": ("user_id", "firstname", "lastname", "photo", "locale", "updated_at"),
    "security_events": ("id", "user_id", "kind", "detail", "ip", "user_agent", "created_at"),
    "sessions": ("id", "user_id", "created_at", "expires_at", "last_seen_at", "revoked_at",
                 "revoke_reason", "ip", "user_agent"),
    "session_sids": ("token_hash", "session_id", "expires_at"),
    "refresh_tokens": ("token_hash", "session_id", "generation", "created_at", "rotated_at"),
}


async def copy_batch(connection: asyncpg.Connection, batch: Batch) -> None:
    async with connection.transaction():
        for table in TABLES:
            await connection.copy_records_to_table(table, records=batch.rows[table], columns=COLUMNS[table])


async def seed(args: argparse.Namespace) -> None:
    settings = load_settings()
    started = time.monotonic()
    await migrate_url(args.database_url)
    hasher = Argon2PasswordHasher()
    password_hash = await hasher.hash(PASSWORD)  # once: see the module's docstring
    hasher.close()
    minter = HmacTokenMinter(settings.keys.secret_key)
    sessions = settings.sessions
    session_ttl, refresh_ttl = timedelta(seconds=sessions.session_ttl), timedelta(seconds=sessions.refresh_ttl)
    dsn = asyncpg_url(args.database_url).replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    await connection.execute("SET synchronous_commit = off")  # a crash means re-seeding anyway
    now = datetime.now(UTC)
    sample_every = max(1, args.users // max(1, args.sample)) if args.sample else 0
    end = args.start + args.users
    try:
        with Path(args.sample_file).open("w") as sample:
            for first in range(args.start, end, args.batch):
                batch = Batch()
                for i in range(first, min(first + args.batch, end)):
                    email, sid, refresh = batch.add_user(
                        i, password_hash, minter, now, session_ttl, refresh_ttl)
                    if sample_every and (i - args.start) % sample_every == 0:
                        sample.write(f"{email}\t{PASSWORD}\t{sid}\t{refresh}\n")
                await copy_batch(connection, batch)
                done = min(first + args.batch, end) - args.start
                print(f"  {done:>9} users  {time.monotonic() - started:6.1f} s", flush=True)
        print("VACUUM ANALYZE ...", flush=True)
        for table in TABLES:
            await connection.execute(f"VACUUM ANALYZE {table}")
        size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    finally:
        await connection.close()
    print(f"Seeded {args.users} users with sessions in {time.monotonic() - started:.0f} s; "
          f"database size {size}; sample tokens in {args.sample_file} "
          f"(valid while the server uses this SECRET_KEY; sids expire after SESSION_TTL)", flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(seed(args))
    except asyncpg.UniqueViolationError as exc:
        sys.exit(f"Already seeded? {exc.detail} (use another --start or a fresh database)")


if __name__ == "__main__":
    main()
