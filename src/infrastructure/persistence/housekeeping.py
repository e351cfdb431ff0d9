"""Deletes what can no longer be used: expired sids, long-dead sessions (with their
refresh tokens, by cascade), ended counter windows, finished provider flows, expired pending links and links,
and outbox messages done with for a month (sent, failed or abandoned; their secret is
already gone)."""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
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


async def purge_expired(engine: AsyncEngine, now: datetime) -> None:
    async with engine.begin() as connection:
        await connection.execute(delete(SidRow).where(SidRow.expires_at <= now))
        await connection.execute(
            delete(SessionRow).where(
                or_(
                    SessionRow.expires_at <= now - KEEP_DEAD_SESSIONS,
                    SessionRow.revoked_at <= now - KEEP_DEAD_SESSIONS,
                )
            )
        )
        await connection.execute(
            delete(RateLimitRow).where(RateLimitRow.window_start <= now - KEEP_COUNTERS)
        )
        await connection.execute(delete(OAuthFlowRow).where(OAuthFlowRow.expires_at <= now))
        await connection.execute(delete(PendingLinkRow).where(PendingLinkRow.expires_at <= now))
        await connection.execute(
            delete(VerificationTokenRow).where(VerificationTokenRow.expires_at <= now)
        )
        await connection.execute(
            delete(OutboxMessageRow).where(
                OutboxMessageRow.status.in_(FINISHED), OutboxMessageRow.created_at <= now - KEEP_MESSAGES
            )
        )


class PeriodicPurge:
    def __init__(self, engine: AsyncEngine, clock: Clock, every: timedelta = timedelta(hours=1)) -> None:
        self._engine = engine
        self._clock = clock
        self._every = every
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sesame-purge")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await purge_expired(self._engine, self._clock.now())
            except Exception:  # a failed purge must not kill the loop; next hour retries
                log.exception("purge of expired rows failed")
            await asyncio.sleep(self._every.total_seconds())
