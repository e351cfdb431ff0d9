from datetime import datetime, timedelta

from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.limits import AttemptCounter, Window
from infrastructure.persistence.tables import RateLimitRow

_ROW = RateLimitRow.__table__.c


class SqlAttemptCounter(AttemptCounter):
    """One upsert per hit: atomic across processes, unlike an in-memory limiter. The
    conflicting row is locked while it is updated, so concurrent hits queue up and
    each reads the count its predecessor wrote."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        ended = _ROW.window_start <= now - window
        return await self._upsert(key, now, window, {
            "hits": case((ended, 1), else_=_ROW.hits + 1),
            "window_start": case((ended, now), else_=_ROW.window_start),
        })

    async def hit_toward_lock(
        self, key: str, limit: int, lockout: timedelta, now: datetime
    ) -> Window:
        # window_start is the last attempt of the run, or the one that set the lock.
        ended = _ROW.window_start <= now - lockout
        locked = _ROW.hits >= limit
        later = _ROW.window_start > now  # requests may reach the database out of order
        return await self._upsert(key, now, lockout, {
            "hits": case((ended, 1), else_=_ROW.hits + 1),
            "window_start": case(
                (ended, now), (locked, _ROW.window_start), (later, _ROW.window_start), else_=now
            ),
        })

    async def clear(self, key: str) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(delete(RateLimitRow).where(RateLimitRow.key == key))

    async def clear_prefix(self, prefix: str) -> None:
        # LIKE with the prefix escaped: a key's own characters are never wildcards. Rare (an
        # unlock, a reset), so a scan of the counters, which the purge keeps small, is fine.
        async with self._engine.connect() as connection:
            await connection.execute(
                delete(RateLimitRow).where(_ROW.key.startswith(prefix, autoescape=True))
            )

    async def _upsert(self, key: str, now: datetime, window: timedelta, changes: dict) -> Window:
        statement = (
            insert(RateLimitRow)
            .values(key=key, window_start=now, hits=1)
            .on_conflict_do_update(index_elements=[_ROW.key], set_=changes)
            .returning(RateLimitRow.hits, RateLimitRow.window_start)
        )
        async with self._engine.connect() as connection:
            hits, start = (await connection.execute(statement)).one()
        return Window(hits, start + window)


class UncountedAttempts(AttemptCounter):
    """RATE_LIMIT_ENABLED=false (benchmarks only): every window is empty."""

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        return Window(0, now)

    async def hit_toward_lock(
        self, key: str, limit: int, lockout: timedelta, now: datetime
    ) -> Window:
        return Window(0, now)

    async def clear(self, key: str) -> None:
        return None

    async def clear_prefix(self, prefix: str) -> None:
        return None
