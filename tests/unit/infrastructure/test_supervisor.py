"""The background jobs' supervisor: nothing starts before the database is usable, a job that
stops is restarted and said in the log, a database that is away is one line without a
traceback, and a bug's traceback is logged once per streak."""

import asyncio
import logging

import asyncpg
import pytest

from infrastructure.supervisor import Job, Supervisor

BOUND = 5  # seconds: a bound on waits that end at once when the code is right, not a timing


class Gate:
    """The database's answer, as the test says: usable or not, or away."""

    def __init__(self, answer: bool | Exception = True) -> None:
        self.answer = answer
        self.asked = asyncio.Event()

    async def __call__(self) -> bool:
        self.asked.set()
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Scripted:
    """A job whose runs fail as scripted, then run until cancelled."""

    def __init__(self, *failures: Exception | None) -> None:
        self.failures = list(failures)
        self.runs = 0
        self.running = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
            return  # a job that returns has stopped too
        self.running.set()
        await asyncio.Event().wait()


def supervisor(gate: Gate, *jobs: tuple[str, Scripted]) -> Supervisor:
    return Supervisor(gate, [Job(name, job.run) for name, job in jobs],
                      check_every=0, first_delay=0, max_delay=0)


def job_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "sesame.jobs"]


async def test_a_job_that_dies_is_restarted_and_said_in_the_log_with_its_traceback_once(caplog):
    purge = Scripted(RuntimeError("a bug"), RuntimeError("a bug"), None)
    jobs = supervisor(Gate(), ("purge", purge))
    await jobs.start()
    try:
        await asyncio.wait_for(purge.running.wait(), BOUND)
    finally:
        await jobs.stop()
    assert purge.runs == 4
    stops = [r for r in job_records(caplog) if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in stops] == [
        "purge failed; restarting in 0 s",
        "purge failed again (RuntimeError: a bug); restarting in 0 s",
        "purge stopped; restarting in 0 s",
    ]
    assert [bool(r.exc_info) for r in stops] == [True, False, False]  # the streak's first only


@pytest.mark.parametrize("away", [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    ConnectionRefusedError(111, "Connection refused"),
], ids=lambda e: type(e).__name__)
async def test_a_database_away_is_one_line_without_a_traceback(away, caplog):
    purge = Scripted(away)
    jobs = supervisor(Gate(), ("purge", purge))
    await jobs.start()
    try:
        await asyncio.wait_for(purge.running.wait(), BOUND)
    finally:
        await jobs.stop()
    [line] = [r for r in job_records(caplog) if r.levelno >= logging.WARNING]
    assert "purge stopped, the database does not answer" in line.getMessage()
    assert type(away).__name__ in line.getMessage()
    assert not line.exc_info
    assert "Traceback" not in caplog.text


async def test_nothing_starts_until_the_schema_is_usable_then_everything_does(caplog):
    gate = Gate(answer=asyncpg.CannotConnectNowError("the database system is starting up"))
    delivery, listener = Scripted(), Scripted()
    jobs = supervisor(gate, ("outbox delivery", delivery), ("outbox listener", listener))
    await jobs.start()
    try:
        await asyncio.wait_for(gate.asked.wait(), BOUND)
        assert (delivery.runs, listener.runs) == (0, 0)
        gate.answer = False  # it answers now, at an older schema: still nothing
        gate.asked.clear()
        await asyncio.wait_for(gate.asked.wait(), BOUND)
        assert (delivery.runs, listener.runs) == (0, 0)
        gate.answer = True  # migrated
        await asyncio.wait_for(jobs.started.wait(), BOUND)
        await asyncio.wait_for(listener.running.wait(), BOUND)
        await asyncio.wait_for(delivery.running.wait(), BOUND)
    finally:
        await jobs.stop()
    waits = [r.getMessage() for r in job_records(caplog) if "wait" in r.getMessage()]
    assert len(waits) == 1 and "does not answer" in waits[0]  # said once, not once a poll
    assert "Traceback" not in caplog.text


async def test_stop_lets_a_winding_job_finish_and_cancels_the_rest():
    finished = asyncio.Event()
    wound = asyncio.Event()

    async def delivering() -> None:
        await wound.wait()
        await asyncio.sleep(0)  # the message being sent completes
        finished.set()

    idle = Scripted()
    jobs = Supervisor(Gate(), [Job("outbox delivery", delivering, wind_down=wound.set),
                               Job("purge", idle.run)], check_every=0, first_delay=0)
    await jobs.start()
    await asyncio.wait_for(idle.running.wait(), BOUND)
    await asyncio.wait_for(jobs.stop(), BOUND)
    assert finished.is_set()


async def test_stopped_while_waiting_for_the_database_it_starts_nothing():
    gate = Gate(answer=False)
    purge = Scripted()
    jobs = supervisor(gate, ("purge", purge))
    await jobs.start()
    await asyncio.wait_for(gate.asked.wait(), BOUND)
    await asyncio.wait_for(jobs.stop(), BOUND)
    gate.answer = True
    assert purge.runs == 0 and not jobs.started.is_set()
