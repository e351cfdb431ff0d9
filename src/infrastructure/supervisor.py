"""Keeps a worker's background jobs (the outbox dispatcher, its LISTEN connection, the purge)
running, whatever the database does.

Rules:
- nothing starts until the gate says the database answers at a usable schema (head or
  newer): asked every `check_every` seconds, quietly (one line when the wait begins, one
  when the jobs start), so a service started before its database, or before `migrate`,
  starts its jobs by itself once it can;
- a job that stops (returns or raises) is restarted after a backoff (`first_delay`,
  doubling up to `max_delay`, back to the first once a run lasted `settled` seconds), and
  the gate is asked again first; each stop is one log line;
- a database that is away is routine: one line, never a traceback
  (database.database_unavailable tells it from a bug);
- a bug is logged with its traceback once, on the first failure of a streak; the same job
  failing again before it settles is one line each time;
- `stop` asks each job to wind down (the dispatcher finishes the message it is sending),
  waits up to `grace` seconds, then cancels what is left."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from infrastructure.persistence.errors import database_unavailable

log = logging.getLogger("sesame.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[None]]  # runs until cancelled: returning or raising is stopping
    wind_down: Callable[[], None] | None = None  # asks it to finish what it is doing, then return


class Supervisor:
    def __init__(
        self, gate: Callable[[], Awaitable[bool]], jobs: list[Job], *, check_every: float = 1,
        first_delay: float = 1, max_delay: float = 60, settled: float = 60, grace: float = 15,
    ) -> None:
        self._gate = gate
        self._jobs = jobs
        self._check_every = check_every
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._settled = settled
        self._grace = grace
        self._stopping = False
        self._tasks: dict[str, asyncio.Task] = {}
        self.started = asyncio.Event()  # set once the gate opened and the jobs run (tests wait on it)

    async def start(self) -> None:
        """Returns at once: the wait for the database happens in the background."""
        self._tasks["gate"] = asyncio.create_task(self._start_when_usable(), name="sesame-jobs")

    async def stop(self) -> None:
        self._stopping = True
        for job in self._jobs:
            if job.wind_down is not None and job.name in self._tasks:
                job.wind_down()
        winding = [self._tasks[job.name] for job in self._jobs if job.wind_down and job.name in self._tasks]
        if winding:  # asyncio.wait cancels nothing at its timeout: a send is not cut halfway
            await asyncio.wait(winding, timeout=self._grace)
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _start_when_usable(self) -> None:
        await self._wait_usable(first=True)
        if self._stopping:  # stopped while waiting: the jobs never start
            return
        for job in self._jobs:
            self._tasks[job.name] = asyncio.create_task(self._keep(job), name=f"sesame-{job.name}")
        log.info("background jobs started: %s", ", ".join(job.name for job in self._jobs))
        self.started.set()

    async def _wait_usable(self, first: bool = False) -> None:
        """Until the gate opens; says why it waits once (at start only: a restart says it)."""
        told = not first
        while not self._stopping:
            reason = await self._ask_gate()
            if reason is None:
                return
            if not told:
                log.warning("background jobs wait: %s; they start by themselves once it is.", reason)
                told = True
            await asyncio.sleep(self._check_every)

    async def _ask_gate(self) -> str | None:
        """None when usable, else why not."""
        try:
            if await self._gate():
                return None
            return "the database schema is not migrated to this version"
        except Exception as exc:
            if database_unavailable(exc):
                return f"the database does not answer ({type(exc).__name__}: {exc})"
            log.exception("checking the database schema failed")
            return f"checking the database schema failed ({type(exc).__name__})"

    async def _keep(self, job: Job) -> None:
        failures = 0
        while not self._stopping:
            began = time.monotonic()
            error = await self._run_once(job)
            if self._stopping:
                return
            if time.monotonic() - began >= self._settled:
                failures = 0  # it ran well for a while: this stop starts a new streak
            delay = min(self._first_delay * 2**failures, self._max_delay)
            self._tell(job, error, delay, first=failures == 0)
            failures += 1
            await asyncio.sleep(delay)
            await self._wait_usable()

    @staticmethod
    async def _run_once(job: Job) -> BaseException | None:
        """Run `job` until it stops; what it raised, if anything (cancelling goes through)."""
        try:
            await job.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        return None

    @staticmethod
    def _tell(job: Job, error: BaseException | None, delay: float, first: bool) -> None:
        """One line per stop; a bug's traceback only on the first of a streak."""
        if error is None:
            log.warning("%s stopped; restarting in %g s", job.name, delay)
        elif database_unavailable(error):
            log.warning("%s stopped, the database does not answer (%s: %s); restarting in %g s",
                        job.name, type(error).__name__, error, delay)
        elif first:
            log.error("%s failed; restarting in %g s", job.name, delay, exc_info=error)
        else:
            log.error("%s failed again (%s: %s); restarting in %g s",
                      job.name, type(error).__name__, error, delay)
