"""Deletes what can no longer be used: expired sids, long-dead sessions (with their
refresh tokens, by cascade), ended counter windows, finished provider flows, expired pending links and links,
and outbox messages done with for a month (sent, failed or abandoned; their secret is
already gone).

In batches: each is one short transaction of at most `batch` rows (found through an index,
taken with SKIP LOCKED), so a purge of millions of rows never holds long locks, never writes
one huge WAL burst, and several processes purging at once share the work instead of waiting
on each other."""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.security import Clock
from infrastructure.persistence.outbox import FINISHED
from infrastructure.persistence.tables import (
    OAuthFlowRow,
    OutboxMessageRow,
    PendingLinkRow,
    RateLimitRow,
    SessionRow,
    SidRow,
    VerificationTokenRow,
)

log = logging.getLogger(__name__)

# Dead sessions are kept a while so a replayed token is still recognised as reuse.
KEEP_DEAD_SESSIONS = timedelta(days=7)
KEEP_COUNTERS = timedelta(days=1)  # longer than any limiter window
KEEP_MESSAGES = timedelta(days=30)  # what was sent when, for support questions
BATCH = 1_000  # rows per transaction (a session's batch also takes its refresh tokens)

# (what, its key, the condition that dooms a row at `now`)
_DOOMED: list[tuple[str, ColumnElement, Callable[[datetime], ColumnElement[bool]]]] = [
    ("session_sids", SidRow.token_hash, lambda now: SidRow.expires_at <= now),
    ("sessions", SessionRow.id, lambda now: SessionRow.expires_at <= now - KEEP_DEAD_SESSIONS),
    ("sessions", SessionRow.id, lambda now: SessionRow.revoked_at <= now - KEEP_DEAD_SESSIONS),
    ("rate_limits", RateLimitRow.key, lambda now: RateLimitRow.window_start <= now - KEEP_COUNTERS),
    ("oauth_flows", OAuthFlowRow.state_hash, lambda now: OAuthFlowRow.expires_at <= now),
    ("pending_links", PendingLinkRow.browser_hash, lambda now: PendingLinkRow.expires_at <= now),
    ("verification_tokens", VerificationTokenRow.token_hash, lambda now: VerificationTokenRow.expires_at <= now),
    ("outbox_messages", OutboxMessageRow.id, lambda now: (OutboxMessageRow.created_at <= now - KEEP_MESSAGES)
     & OutboxMessageRow.status.in_(FINISHED)),
]


def purge_statements(now: datetime, batch: int = BATCH):
    """(table, DELETE of at most `batch` doomed rows) for each kind of row."""
    for table, key, doomed in _DOOMED:
        victims = select(key).where(doomed(now)).limit(batch).with_for_update(skip_locked=True)
        yield table, delete(key.class_).where(key.in_(victims.scalar_subquery()))


async def purge_expired(engine: AsyncEngine, now: datetime, batch: int = BATCH) -> dict[str, int]:
    """Delete every doomed row, `batch` at a time; the count deleted per table."""
    deleted: dict[str, int] = {}
    for table, statement in purge_statements(now, batch):
        while True:
            async with engine.begin() as connection:
                count = (await connection.execute(statement)).rowcount
            deleted[table] = deleted.get(table, 0) + count
            if count < batch:
                break
            await asyncio.sleep(0)  # the requests of this process go first between batches
    return deleted


class PeriodicPurge:
    """The hourly purge, as a supervised job (infrastructure/supervisor.py).

    Rules: it purges at once, then every `every`; it catches nothing: a database that goes
    away mid-purge (a restart) or a bug stops the run, and the supervisor tells it (one line
    for the database, a traceback for a bug) and starts it again once the database answers,
    which purges again at once: nothing waits an hour for a purge that was cut short."""

    name = "purge"

    def __init__(self, engine: AsyncEngine, clock: Clock, every: timedelta = timedelta(hours=1)) -> None:
        self._engine = engine
        self._clock = clock
        self._every = every

    async def run(self) -> None:
        while True:
            deleted = await purge_expired(self._engine, self._clock.now())
            if any(deleted.values()):
                log.info("purged expired rows: %s", ", ".join(f"{n} {t}" for t, n in deleted.items() if n))
            await asyncio.sleep(self._every.total_seconds())
