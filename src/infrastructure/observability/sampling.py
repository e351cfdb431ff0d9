"""The gauges of what a worker holds, sampled every second (a scrape reads the latest sample):
its database pools' connections by state and its queue of password work; and, as often, the
requests tallied since (Metrics.flush), then once more when the worker stops.

Sampled rather than kept on every change: /auth/me takes and gives back a pooled connection
each time, and would pay two writes for it; a sample costs a handful a second, whatever the
load. A second is finer than any scrape, and pool exhaustion is alerted on over minutes."""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from infrastructure.observability.metrics import POOL_STATES, Metrics

SAMPLE_EVERY = 1.0  # seconds


@dataclass(frozen=True, slots=True)
class PoolUsage:
    in_use: int
    idle: int
    free: int  # not opened yet: the pool may still open this many


def queue_pool_usage(pool) -> PoolUsage:
    """A SQLAlchemy QueuePool of fixed size (max_overflow=0), as database_config makes it."""
    in_use, idle = pool.checkedout(), pool.checkedin()
    return PoolUsage(in_use, idle, max(0, pool.size() - in_use - idle))


def driver_pool_usage(pool) -> PoolUsage:
    """persistence.driver_pool.DriverPool, which counts its own."""
    return PoolUsage(*pool.usage())


class GaugeSampler:
    def __init__(
        self, metrics: Metrics, pools: Mapping[str, Callable[[], PoolUsage]], queued: Callable[[], int],
        every: float = SAMPLE_EVERY,
    ) -> None:
        self._metrics = metrics
        self._pools = pools
        self._queued = queued
        self._every = every
        self._task: asyncio.Task | None = None

    def sample(self) -> None:
        self._metrics.flush()
        for name, usage in self._pools.items():
            counts = usage()
            for state in POOL_STATES:
                self._metrics.db_pool.labels(name, state).set(getattr(counts, state))
        self._metrics.password_work_queued.set(self._queued())

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sesame-gauges")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._metrics.flush()  # the last requests (the server has stopped taking new ones)

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self._every)
