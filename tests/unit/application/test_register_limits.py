"""Registration abuse: a per-address rate limit, and no hashing for a refused request."""

import asyncio
import dataclasses

import pytest

from domain.errors import EmailTaken, RateLimited, UsernameTaken, WeakPassword
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


PER_MINUTE = 30


async def test_a_flooding_address_is_rate_limited_per_minute(world):
    for _ in range(PER_MINUTE):
        await world.register.execute(RegistrationFactory.build(), CLIENT)
    hashes = world.hasher.hashes
    with pytest.raises(RateLimited) as caught:
        await world.register.execute(RegistrationFactory.build(), CLIENT)
    assert caught.value.retry_after == 60
    assert world.hasher.hashes == hashes and len(world.db.users) == PER_MINUTE
    other = dataclasses.replace(CLIENT, ip="198.51.100.1")
    assert await world.register.execute(RegistrationFactory.build(), other)
    world.clock.advance(minutes=1)
    assert await world.register.execute(RegistrationFactory.build(), CLIENT)


async def test_refused_duplicates_count_toward_the_limit(world):
    registration = RegistrationFactory.build()
    await world.register.execute(registration, CLIENT)
    for _ in range(PER_MINUTE - 1):
        with pytest.raises(EmailTaken):
            await world.register.execute(registration, CLIENT)
    with pytest.raises(RateLimited):
        await world.register.execute(RegistrationFactory.build(), CLIENT)


async def test_bad_input_is_not_counted(world):
    for _ in range(PER_MINUTE + 1):
        with pytest.raises(WeakPassword):
            await world.register.execute(RegistrationFactory.build(password="short"), CLIENT)
    assert not world.attempts.windows
    assert await world.register.execute(RegistrationFactory.build(), CLIENT)


async def test_a_duplicate_email_is_refused_without_hashing(world):
    registration = RegistrationFactory.build(email="ada@example.com")
    await world.register.execute(registration, CLIENT)
    hashes = world.hasher.hashes
    with pytest.raises(EmailTaken):
        await world.register.execute(RegistrationFactory.build(email="ADA@example.com"), CLIENT)
    assert world.hasher.hashes == hashes


async def test_a_duplicate_username_is_refused_without_hashing(world):
    await world.register.execute(RegistrationFactory.build(username="Ada"), CLIENT)
    hashes = world.hasher.hashes
    with pytest.raises(UsernameTaken):
        await world.register.execute(RegistrationFactory.build(username="ada"), CLIENT)
    assert world.hasher.hashes == hashes


async def test_concurrent_registrations_of_one_email_let_exactly_one_win(world):
    """Both pass the early check; the insert (a unique constraint in PostgreSQL) decides."""
    attempts = [RegistrationFactory.build(email="ada@example.com") for _ in range(2)]
    outcomes = await asyncio.gather(
        *(world.register.execute(r, CLIENT) for r in attempts), return_exceptions=True
    )
    assert world.hasher.hashes == 2
    assert sorted(type(o).__name__ for o in outcomes) == ["EmailTaken", "SignedIn"]
    assert len(world.db.users) == 1


async def test_requests_without_a_valid_address_share_one_limit(world):
    """A junk X-Forwarded-For is recorded as no address: it must not escape the limit."""
    unknown = dataclasses.replace(CLIENT, ip=None)
    for _ in range(PER_MINUTE):
        await world.register.execute(RegistrationFactory.build(), unknown)
    with pytest.raises(RateLimited):
        await world.register.execute(RegistrationFactory.build(), unknown)
