from datetime import UTC, datetime, timedelta

import pytest

from infrastructure.persistence.attempts import SqlAttemptCounter
from tests.fakes import InMemoryAttemptCounter

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["memory", "postgres"])
def counter(request):
    if request.param == "memory":
        return InMemoryAttemptCounter()
    return SqlAttemptCounter(request.getfixturevalue("engine"))


async def test_counts_within_a_window_then_starts_over(counter):
    assert (await counter.hit("k", MINUTE, NOW)).hits == 1
    second = await counter.hit("k", MINUTE, NOW + timedelta(seconds=30))
    assert (second.hits, second.resets_at) == (2, NOW + MINUTE)
    assert (await counter.peek("k", MINUTE, NOW + timedelta(seconds=59))).hits == 2
    assert await counter.peek("k", MINUTE, NOW + MINUTE) is None
    assert (await counter.hit("k", MINUTE, NOW + MINUTE)).hits == 1


async def test_clear_and_independent_keys(counter):
    await counter.hit("a", MINUTE, NOW)
    await counter.hit("b", MINUTE, NOW)
    await counter.clear("a")
    assert await counter.peek("a", MINUTE, NOW) is None
    assert (await counter.peek("b", MINUTE, NOW)).hits == 1


async def test_concurrent_hits_are_all_counted(engine):
    import asyncio

    counter = SqlAttemptCounter(engine)
    results = await asyncio.gather(*(counter.hit("race", MINUTE, NOW) for _ in range(25)))
    assert sorted(w.hits for w in results) == list(range(1, 26))
