"""The contract's "Retention" on PostgreSQL: rotated refresh tokens, ended sessions, used or
expired links and codes, finished outbox messages are purged RETENTION_DAYS after they ended;
security events EVENTS_RETENTION_DAYS after they happened; nothing younger, nothing live."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from infrastructure.persistence.housekeeping import Retention, purge_expired
from infrastructure.settings import load_settings
from web.composition.adapters import retention

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
USER = uuid.UUID(int=1)
LIVE = uuid.UUID(int=10)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def key(label: str) -> bytes:
    return label.encode().ljust(32, b".")


async def seed(engine) -> None:
    """Rows named by what they are: "old" ended 31 days ago (or 401 for events), "recent" 29
    (or 399), "live" not ended."""
    sessions = [  # (label, expires_at, revoked_at)
        ("live", NOW + timedelta(days=10), None),
        ("old-expired", ago(31), None), ("recent-expired", ago(29), None),
        ("old-revoked", NOW + timedelta(days=10), ago(31)), ("recent-revoked", NOW + timedelta(days=10), ago(29)),
    ]
    tokens = [  # refresh tokens of the live session: (label, generation, rotated_at)
        ("old-rotated", 0, ago(31)), ("recent-rotated", 1, ago(29)), ("current", 2, None),
    ]
    links = [  # (label, expires_at, used_at): a used link is done with from its use
        ("old-expired", ago(31), None), ("recent-expired", ago(29), None),
        ("old-used", ago(24), ago(31)), ("recent-used", ago(22), ago(29)), ("live", NOW + timedelta(hours=1), None),
    ]
    codes = [("old-expired", ago(31)), ("recent-expired", ago(29)), ("live", NOW + timedelta(minutes=5))]
    messages = [  # (label, status, created_at)
        ("old-sent", "sent", ago(31)), ("old-failed", "failed", ago(31)), ("old-abandoned", "abandoned", ago(31)),
        ("recent-sent", "sent", ago(29)), ("old-pending", "pending", ago(31)),
    ]
    events = [("old", ago(401)), ("recent", ago(399))]
    async with engine.begin() as connection:
        run = connection.execute
        await run(text("INSERT INTO users (id, email, created_at, updated_at) VALUES (:id, 'ada@example.com', :t, :t)"),
                  {"id": USER, "t": ago(500)})
        for label, expires_at, revoked_at in sessions:
            await run(text(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, revoked_at, revoke_reason) "
                "VALUES (:id, :user, :created, :expires, :created, :revoked, :reason)"),
                {"id": LIVE if label == "live" else uuid.uuid5(uuid.NAMESPACE_URL, label), "user": USER,
                 "created": ago(60), "expires": expires_at, "revoked": revoked_at,
                 "reason": "logout" if revoked_at else None})
        for label, generation, rotated_at in tokens:
            await run(text(
                "INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at, rotated_at) "
                "VALUES (:hash, :session, :generation, :created, :rotated)"),
                {"hash": key(label), "session": LIVE, "generation": generation, "created": ago(40), "rotated": rotated_at})
        for label, expires_at, used_at in links:
            await run(text(
                "INSERT INTO verification_tokens (token_hash, user_id, purpose, created_at, expires_at, used_at) "
                "VALUES (:hash, :user, 'verify_email', :created, :expires, :used)"),
                {"hash": key(label), "user": USER, "created": expires_at - timedelta(days=1),
                 "expires": expires_at, "used": used_at})
        for label, expires_at in codes:
            await run(text(
                "INSERT INTO verification_codes (id, user_id, purpose, phone_number, code_hash, attempts, "
                "created_at, expires_at) VALUES (:id, :user, 'verify_phone', '+33612345678', :hash, 0, :created, :expires)"),
                {"id": uuid.uuid5(uuid.NAMESPACE_URL, label), "user": USER, "hash": key(label),
                 "created": expires_at - timedelta(minutes=10), "expires": expires_at})
        for label, status, created_at in messages:
            await run(text(
                "INSERT INTO outbox_messages (id, channel, recipient, template, locale, payload, status, attempts, "
                "next_attempt_at, created_at) VALUES (:id, 'email', :label, 'verify_email', 'fr', '{}', :status, 1, "
                ":created, :created)"),
                {"id": uuid.uuid5(uuid.NAMESPACE_URL, label), "label": label, "status": status, "created": created_at})
        for label, created_at in events:
            await run(text(
                "INSERT INTO security_events (id, user_id, kind, detail, created_at) "
                "VALUES (:id, :user, :label, '{}', :created)"),
                {"id": uuid.uuid5(uuid.NAMESPACE_URL, "event-" + label), "user": USER, "label": label, "created": created_at})


async def left(engine) -> dict[str, set[str]]:
    queries = {
        "refresh_tokens": "SELECT rtrim(convert_from(token_hash, 'UTF8'), '.') FROM refresh_tokens",
        "verification_tokens": "SELECT rtrim(convert_from(token_hash, 'UTF8'), '.') FROM verification_tokens",
        "verification_codes": "SELECT rtrim(convert_from(code_hash, 'UTF8'), '.') FROM verification_codes",
        "outbox_messages": "SELECT recipient FROM outbox_messages",
        "security_events": "SELECT kind FROM security_events",
    }
    async with engine.connect() as connection:
        found = {table: set((await connection.execute(text(q))).scalars()) for table, q in queries.items()}
        ids = set((await connection.execute(text("SELECT id FROM sessions"))).scalars())
    names = {uuid.uuid5(uuid.NAMESPACE_URL, label): label
             for label in ("old-expired", "recent-expired", "old-revoked", "recent-revoked")} | {LIVE: "live"}
    found["sessions"] = {names[i] for i in ids}
    return found


async def test_the_purge_keeps_ended_rows_for_the_retention_and_events_for_theirs(engine):
    await seed(engine)
    deleted = await purge_expired(engine, NOW, retention=retention(load_settings({}, env_file="/nonexistent")))
    assert await left(engine) == {
        "sessions": {"live", "recent-expired", "recent-revoked"},
        "refresh_tokens": {"recent-rotated", "current"},
        "verification_tokens": {"recent-expired", "recent-used", "live"},
        "verification_codes": {"recent-expired", "live"},
        "outbox_messages": {"recent-sent", "old-pending"},  # a waiting message is never purged
        "security_events": {"recent"},
    }
    assert deleted["sessions"] == 2 and deleted["refresh_tokens"] == 1 and deleted["security_events"] == 1
    assert deleted["verification_tokens"] == 2 and deleted["verification_codes"] == 1
    assert deleted["outbox_messages"] == 3


async def test_retention_days_are_read_from_the_settings(engine):
    await seed(engine)
    settings = load_settings({"RETENTION_DAYS": "28", "EVENTS_RETENTION_DAYS": "398"}, env_file="/nonexistent")
    assert retention(settings) == Retention(days=28, events_days=398)
    await purge_expired(engine, NOW, retention=retention(settings))
    assert await left(engine) == {
        "sessions": {"live"}, "refresh_tokens": {"current"}, "verification_tokens": {"live"},
        "verification_codes": {"live"}, "outbox_messages": {"old-pending"}, "security_events": set(),
    }


async def test_the_purge_goes_batch_by_batch_through_the_new_tables(engine):
    await seed(engine)
    deleted = await purge_expired(engine, NOW + timedelta(days=400), batch=1)
    assert deleted["security_events"] == 2 and deleted["verification_codes"] == 3
    assert (await left(engine))["outbox_messages"] == {"old-pending"}


@pytest.mark.parametrize(("name", "value"), [("RETENTION_DAYS", "0"), ("EVENTS_RETENTION_DAYS", "-1")])
def test_a_retention_under_a_day_is_refused(name, value):
    from infrastructure.settings import ConfigError

    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, env_file="/nonexistent")
