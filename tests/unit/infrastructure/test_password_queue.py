"""The bounded queue of password work (Argon2PasswordHasher), with tiny argon2 parameters."""

import asyncio

import pytest

from domain.errors import PasswordWorkBusy
from infrastructure.security.passwords import Argon2PasswordHasher


@pytest.fixture
def hasher():
    hasher = Argon2PasswordHasher(memory_cost=64, time_cost=1, queue_limit=2)
    yield hasher
    hasher.close()


async def test_beyond_the_bound_a_request_is_refused_at_once(hasher):
    async with hasher.reserve(), hasher.reserve():
        with pytest.raises(PasswordWorkBusy) as refused:
            async with hasher.reserve():
                pytest.fail("a third place was given")
        assert refused.value.retry_after >= 1
    async with hasher.reserve():  # places come back when their requests end
        assert (await hasher.verify("pw", await hasher.hash("pw"))).valid


async def test_a_failing_request_gives_its_place_back(hasher):
    for _ in range(3):
        with pytest.raises(RuntimeError):
            async with hasher.reserve():
                raise RuntimeError("the use case failed")
    async with hasher.reserve(), hasher.reserve():
        pass


async def test_places_are_held_while_hashing_and_waiting(hasher):
    started = asyncio.Event()

    async def login():
        async with hasher.reserve():
            started.set()
            return await hasher.hash("pw")

    first = asyncio.create_task(login())
    await started.wait()
    async with hasher.reserve():
        with pytest.raises(PasswordWorkBusy):
            async with hasher.reserve():
                pass
    assert (await first).startswith("$argon2id$")


def test_hashing_runs_below_the_event_loops_priority(hasher):
    import os
    import threading

    niceness = hasher._pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert niceness.result() > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_a_request_ending_after_shutdown_ends_quietly():
    hasher = Argon2PasswordHasher(memory_cost=64, time_cost=1)
    async with hasher.reserve():
        hasher.close()  # the server stops while a login is still on its way out
