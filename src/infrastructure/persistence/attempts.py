from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.limits import AttemptCounter, Window
from infrastructure.persistence.tables import RateLimitRow


class SqlAttemptCounter(AttemptCounter):
    """One upsert per hit: atomic across processes, unlike an in-memory limiter."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        row = RateLimitRow.__table__.c
        ended = row.window_start <= now - window
        statement = (
            insert(RateLimitRow)
            .values(key=key, window_start=now, hits=1)
            .on_conflict_do_update(
                index_elements=[row.key],
                set_={
                    "hits": case((ended, 1), else_=row.hits + 1),
                    "window_start": case((ended, now), else_=row.window_start),
                },
            )
            .returning(RateLimitRow.hits, RateLimitRow.window_start)
        )
        async with self._engine.connect() as connection:
            hits, start = (await connection.execute(statement)).one()
        return Window(hits, start + window)

    async def peek(self, key: str, window: timedelta, now: datetime) -> Window | None:
        statement = select(RateLimitRow.hits, RateLimitRow.window_start).where(
            RateLimitRow.key == key, RateLimitRow.window_start > now - window
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).one_or_none()
        return Window(row.hits, row.window_start + window) if row else None

    async def clear(self, key: str) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(delete(RateLimitRow).where(RateLimitRow.key == key))


class UncountedAttempts(AttemptCounter):
    """RATE_LIMIT_ENABLED=false (benchmarks only): every window is empty."""

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        return Window(0, now)

    async def peek(self, key: str, window: timedelta, now: datetime) -> Window | None:
        return None

    async def clear(self, key: str) -> None:
        return None
