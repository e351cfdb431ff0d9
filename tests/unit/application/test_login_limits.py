import asyncio
import itertools
import dataclasses

import pytest

from domain.clients import ClientInfo
from domain.errors import AccountLocked, InvalidCredentials, RateLimited
from tests.factories import RegistrationFactory, long_email
from tests.unit.conftest import CLIENT

_addresses = itertools.count(1)


def anywhere() -> ClientInfo:
    """A new address each time, so only the account lock applies."""
    n = next(_addresses)
    return ClientInfo(ip=f"2001:db8:{n:x}::1")  # another /64: another client


@pytest.fixture
async def ada(world):
    registration = RegistrationFactory.build(email="ada@example.com", username="ada")
    await world.register.execute(registration, CLIENT)
    return registration


async def fail(world, identifier, client=None):
    with pytest.raises(InvalidCredentials):
        await world.login.execute(identifier, "wrong-password", client or anywhere())


async def test_too_many_failures_lock_the_account_even_for_the_right_password(world, ada):
    for _ in range(3):
        await fail(world, ada.email)
    verifications = world.hasher.verifications
    with pytest.raises(AccountLocked) as caught:
        await world.login.execute("ADA@example.com", ada.password, anywhere())
    assert caught.value.retry_after == 15 * 60
    assert world.hasher.verifications == verifications  # refused before any password work
    world.clock.advance(minutes=15)
    assert await world.login.execute(ada.email, ada.password, anywhere())


async def test_unknown_identifiers_lock_the_same_way(world):
    for _ in range(3):
        await fail(world, "ghost@example.com")
    with pytest.raises(AccountLocked):
        await world.login.execute("ghost@example.com", "whatever-pass", anywhere())


async def test_success_forgets_earlier_failures(world, ada):
    for _ in range(2):
        await fail(world, ada.email)
    await world.login.execute(ada.email, ada.password, anywhere())
    for _ in range(2):
        await fail(world, ada.email)
    assert await world.login.execute(ada.email, ada.password, anywhere())


async def test_a_flooding_address_is_rate_limited_per_minute(world, ada):
    for _ in range(5):
        await world.login.execute(ada.email, ada.password, CLIENT)
    with pytest.raises(RateLimited) as caught:
        await world.login.execute(ada.email, ada.password, CLIENT)
    assert caught.value.retry_after == 60
    other = dataclasses.replace(CLIENT, ip="198.51.100.1")
    assert await world.login.execute(ada.email, ada.password, other)
    world.clock.advance(minutes=1)
    assert await world.login.execute(ada.email, ada.password, CLIENT)


def address(n: int) -> ClientInfo:
    return ClientInfo(ip=f"198.51.100.{n}")


async def attempt(world, identifier, password="wrong-password", client=None):
    """The refusal an attempt got (None when it signed in)."""
    try:
        await world.login.execute(identifier, password, client or anywhere())
    except (InvalidCredentials, AccountLocked) as refusal:
        return refusal
    return None


async def test_parallel_guesses_check_at_most_the_limit_of_passwords(world, ada):
    refusals = await asyncio.gather(*(attempt(world, ada.email, client=address(n)) for n in range(10)))
    assert world.hasher.verifications == 3  # counted before the check, not after
    assert sorted(type(r).__name__ for r in refusals) == ["AccountLocked"] * 7 + ["InvalidCredentials"] * 3


async def test_email_and_username_of_one_account_share_one_lock(world, ada):
    await fail(world, ada.email)
    await fail(world, ada.username.upper())
    await fail(world, ada.email.upper())
    for identifier in (ada.username, ada.email):
        assert isinstance(await attempt(world, identifier, ada.password), AccountLocked)


async def test_a_lock_lasts_fifteen_minutes_from_the_failure_that_set_it(world, ada):
    await fail(world, ada.email)
    await fail(world, ada.email)
    world.clock.advance(minutes=14, seconds=55)  # the third failure comes near the end of a window
    await fail(world, ada.email)
    world.clock.advance(seconds=10)
    locked = await attempt(world, ada.email, ada.password)
    assert isinstance(locked, AccountLocked) and locked.retry_after == 15 * 60 - 10
    world.clock.advance(minutes=14, seconds=49)
    assert isinstance(await attempt(world, ada.email, ada.password), AccountLocked)  # not extended either
    world.clock.advance(seconds=1)
    assert await attempt(world, ada.email, ada.password) is None


async def test_failures_are_forgotten_only_after_fifteen_quiet_minutes(world, ada):
    await fail(world, ada.email)
    world.clock.advance(minutes=10)
    await fail(world, ada.email)
    world.clock.advance(minutes=10)  # a fixed window from the first failure would have ended
    await fail(world, ada.email)
    assert isinstance(await attempt(world, ada.email, ada.password), AccountLocked)
    world.clock.advance(minutes=15)
    await fail(world, ada.email)
    await fail(world, ada.email)
    world.clock.advance(minutes=15)
    await fail(world, ada.email)
    assert await attempt(world, ada.email, ada.password) is None


async def test_a_long_identifier_is_counted_under_a_fixed_size_digest(world):
    registration = RegistrationFactory.build(email=long_email(250))
    await world.register.execute(registration, CLIENT)
    for _ in range(3):
        await fail(world, registration.email)
    assert isinstance(await attempt(world, registration.email, registration.password), AccountLocked)
    for key in world.attempts.windows:
        scope, digest = key.split(":")
        assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
        assert registration.email[:16] not in key  # not even a piece of what was typed


async def test_a_lock_answers_the_same_for_known_and_unknown_identifiers(world, ada):
    for _ in range(3):
        await fail(world, ada.email)
        await fail(world, "ghost@example.com")
    known = await attempt(world, ada.email)
    unknown = await attempt(world, "ghost@example.com")
    assert (type(known), known.retry_after, str(known)) == (type(unknown), unknown.retry_after, str(unknown))
    assert isinstance(known, AccountLocked)
