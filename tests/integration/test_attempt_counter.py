"""The counter contract, run against the in-memory fake and against PostgreSQL."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.persistence.attempts import SqlAttemptCounter, UncountedAttempts
from tests.fakes import InMemoryAttemptCounter

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=15)
KEY = "login-account:" + "0" * 64  # the shape application keys have: a scope and a digest


@pytest.fixture(params=["memory", "postgres"])
def counter(request):
    if request.param == "memory":
        return InMemoryAttemptCounter()
    return SqlAttemptCounter(request.getfixturevalue("engine"))


async def strikes(counter, count: int, at: datetime, key: str = KEY) -> list:
    return [await counter.hit_toward_lock(key, 10, LOCKOUT, at) for _ in range(count)]


async def test_counts_within_a_window_then_starts_over(counter):
    assert (await counter.hit("k", MINUTE, NOW)).hits == 1
    second = await counter.hit("k", MINUTE, NOW + timedelta(seconds=30))
    assert (second.hits, second.resets_at) == (2, NOW + MINUTE)
    assert (await counter.hit("k", MINUTE, NOW + timedelta(seconds=59))).hits == 3
    assert (await counter.hit("k", MINUTE, NOW + MINUTE)).hits == 1


async def test_clear_and_independent_keys(counter):
    await counter.hit("a", MINUTE, NOW)
    await counter.hit("b", MINUTE, NOW)
    await counter.clear("a")
    assert (await counter.hit("a", MINUTE, NOW)).hits == 1
    assert (await counter.hit("b", MINUTE, NOW)).hits == 2


async def test_clear_prefix_forgets_the_keys_that_begin_with_it_and_only_those(counter):
    devices = [f"login-device:{'a' * 32}:{n * 64}" for n in "0123"]
    others = [f"login-device:{'b' * 32}:{'0' * 64}", KEY, "login-device:" + "a" * 31]
    for key in devices + others:
        await counter.hit(key, MINUTE, NOW)
    await counter.clear_prefix(f"login-device:{'a' * 32}:")
    assert [(await counter.hit(key, MINUTE, NOW)).hits for key in devices] == [1] * 4
    assert [(await counter.hit(key, MINUTE, NOW)).hits for key in others] == [2] * 3


async def test_clear_prefix_takes_its_characters_literally(counter):
    """LIKE's wildcards in a prefix match only themselves."""
    await counter.hit("scope:ab", MINUTE, NOW)
    await counter.hit("scope:a%", MINUTE, NOW)
    await counter.clear_prefix("scope:a_")
    await counter.clear_prefix("scope:a%")
    assert (await counter.hit("scope:ab", MINUTE, NOW)).hits == 2
    assert (await counter.hit("scope:a%", MINUTE, NOW)).hits == 1


async def test_a_lock_lasts_fifteen_minutes_from_the_attempt_that_set_it(counter):
    await strikes(counter, 9, NOW)
    setting = NOW + timedelta(minutes=14, seconds=55)  # near the end of a fixed window
    tenth = await counter.hit_toward_lock(KEY, 10, LOCKOUT, setting)
    assert tenth.hits == 10
    after_old_window = await counter.hit_toward_lock(KEY, 10, LOCKOUT, NOW + timedelta(minutes=15, seconds=5))
    assert (after_old_window.hits, after_old_window.resets_at) == (11, setting + LOCKOUT)
    last_moment = await counter.hit_toward_lock(KEY, 10, LOCKOUT, setting + LOCKOUT - timedelta(seconds=1))
    assert (last_moment.hits, last_moment.resets_at) == (12, setting + LOCKOUT)  # not extended
    assert (await counter.hit_toward_lock(KEY, 10, LOCKOUT, setting + LOCKOUT)).hits == 1


async def test_a_run_of_attempts_is_forgotten_only_after_a_quiet_lockout(counter):
    await strikes(counter, 9, NOW)
    resumed = NOW + LOCKOUT - timedelta(seconds=1)  # straddles a fixed window's end
    assert [w.hits for w in await strikes(counter, 2, resumed)] == [10, 11]
    await counter.clear(KEY)
    await strikes(counter, 9, NOW)
    assert (await counter.hit_toward_lock(KEY, 10, LOCKOUT, NOW + LOCKOUT)).hits == 1


async def test_concurrent_attempts_admit_exactly_the_limit(counter):
    windows = await asyncio.gather(*(counter.hit_toward_lock(KEY, 10, LOCKOUT, NOW) for _ in range(30)))
    assert sorted(w.hits for w in windows) == list(range(1, 31))
    assert sum(w.hits <= 10 for w in windows) == 10
    assert {w.resets_at for w in windows} == {NOW + LOCKOUT}


async def test_concurrent_hits_are_all_counted(counter):
    results = await asyncio.gather(*(counter.hit("race", MINUTE, NOW) for _ in range(25)))
    assert sorted(w.hits for w in results) == list(range(1, 26))


async def test_concurrent_attempts_through_two_pools_admit_exactly_the_limit(engine):
    """As two processes of the service would, each with its own pool."""
    second = create_async_engine(engine.url)
    try:
        counters = [SqlAttemptCounter(engine), SqlAttemptCounter(second)]
        windows = await asyncio.gather(
            *(counters[i % 2].hit_toward_lock(KEY, 10, LOCKOUT, NOW) for i in range(30))
        )
    finally:
        await second.dispose()
    assert sum(w.hits <= 10 for w in windows) == 10


async def test_uncounted_attempts_never_limit():
    """RATE_LIMIT_ENABLED=false."""
    counter = UncountedAttempts()
    for _ in range(50):
        assert (await counter.hit_toward_lock(KEY, 10, LOCKOUT, NOW)).hits == 0
        assert (await counter.hit("k", MINUTE, NOW)).hits == 0
