"""Deletes what can no longer be used, and what was kept long enough (the contract's
"Retention"): at once, expired sids, ended counter windows, finished provider flows,
expired pending links, expired second-step challenges (used, burned or not) and expired
passkey challenges; after RETENTION_DAYS (30 by default), rotated refresh tokens, ended
sessions (revoked or expired; with their refresh tokens, by cascade), used or expired links
and codes, and outbox messages done with (sent, failed or abandoned; their secret is
already gone); after EVENTS_RETENTION_DAYS (400 by default), security events.

In batches: each is one short transaction of at most `batch` rows (found through an index,
taken with SKIP LOCKED), so a purge of millions of rows never holds long locks, never writes
one huge WAL burst, and several processes purging at once share the work instead of waiting
on each other."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.security import Clock
from infrastructure.persistence.tables import (
    OUTBOX_FINISHED,
    MfaChallengeRow,
    OAuthFlowRow,
    OutboxMessageRow,
    PendingLinkRow,
    RateLimitRow,
    RefreshTokenRow,
    SecurityEventRow,
    SessionRow,
    SidRow,
    VerificationCodeRow,
    VerificationTokenRow,
    WebAuthnChallengeRow,
)

log = logging.getLogger(__name__)

KEEP_COUNTERS = timedelta(days=1)  # longer than any limiter window
BATCH = 1_000  # rows per transaction (a session's batch also takes its refresh tokens)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long ended rows are kept (RETENTION_DAYS), and security events (EVENTS_RETENTION_DAYS).
    Ended sessions and rotated tokens kept a while let a replayed token be recognised as reuse;
    finished messages say what was sent when, for support questions."""

    days: int = 30
    events_days: int = 400

    @property
    def keep(self) -> timedelta:
        return timedelta(days=self.days)

    @property
    def keep_events(self) -> timedelta:
        return timedelta(days=self.events_days)


Doomed = Callable[[datetime, Retention], ColumnElement[bool]]

# (what, its key, the condition that dooms a row at `now`); each condition has its index.
_DOOMED: list[tuple[str, ColumnElement, Doomed]] = [
    ("session_sids", SidRow.token_hash, lambda now, r: SidRow.expires_at <= now),
    ("sessions", SessionRow.id, lambda now, r: SessionRow.expires_at <= now - r.keep),
    ("sessions", SessionRow.id, lambda now, r: SessionRow.revoked_at <= now - r.keep),
    ("refresh_tokens", RefreshTokenRow.token_hash, lambda now, r: RefreshTokenRow.rotated_at <= now - r.keep),
    ("rate_limits", RateLimitRow.key, lambda now, r: RateLimitRow.window_start <= now - KEEP_COUNTERS),
    ("oauth_flows", OAuthFlowRow.state_hash, lambda now, r: OAuthFlowRow.expires_at <= now),
    ("pending_links", PendingLinkRow.browser_hash, lambda now, r: PendingLinkRow.expires_at <= now),
    ("mfa_challenges", MfaChallengeRow.token_hash, lambda now, r: MfaChallengeRow.expires_at <= now),
    ("webauthn_challenges", WebAuthnChallengeRow.challenge, lambda now, r: WebAuthnChallengeRow.expires_at <= now),
    ("verification_tokens", VerificationTokenRow.token_hash,
     lambda now, r: VerificationTokenRow.expires_at <= now - r.keep),
    ("verification_tokens", VerificationTokenRow.token_hash,
     lambda now, r: VerificationTokenRow.used_at <= now - r.keep),
    # A code is used within its lifetime or not at all: its expiry dates both.
    ("verification_codes", VerificationCodeRow.id, lambda now, r: VerificationCodeRow.expires_at <= now - r.keep),
    ("outbox_messages", OutboxMessageRow.id, lambda now, r: (OutboxMessageRow.created_at <= now - r.keep)
     & OutboxMessageRow.status.in_(OUTBOX_FINISHED)),
    ("security_events", SecurityEventRow.id, lambda now, r: SecurityEventRow.created_at <= now - r.keep_events),
]


def purge_statements(now: datetime, batch: int = BATCH, retention: Retention = Retention()):
    """(table, DELETE of at most `batch` doomed rows) for each kind of row."""
    for table, key, doomed in _DOOMED:
        victims = select(key).where(doomed(now, retention)).limit(batch).with_for_update(skip_locked=True)
        yield table, delete(key.class_).where(key.in_(victims.scalar_subquery()))


async def purge_expired(
    engine: AsyncEngine, now: datetime, batch: int = BATCH, retention: Retention = Retention()
) -> dict[str, int]:
    """Delete every doomed row, `batch` at a time; the count deleted per table."""
    deleted: dict[str, int] = {}
    for table, statement in purge_statements(now, batch, retention):
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

    def __init__(
        self, engine: AsyncEngine, clock: Clock, every: timedelta = timedelta(hours=1),
        retention: Retention = Retention(),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._every = every
        self._retention = retention

    async def run(self) -> None:
        while True:
            deleted = await purge_expired(self._engine, self._clock.now(), retention=self._retention)
            if any(deleted.values()):
                log.info("purged expired rows: %s", ", ".join(f"{n} {t}" for t, n in deleted.items() if n))
            await asyncio.sleep(self._every.total_seconds())
