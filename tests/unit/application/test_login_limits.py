import dataclasses

import pytest

from application.use_cases.session_tokens import ClientInfo
from domain.errors import AccountLocked, InvalidCredentials, RateLimited
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


@pytest.fixture
async def ada(world):
    registration = RegistrationFactory.build(email="ada@example.com")
    await world.register.execute(registration, CLIENT)
    return registration


async def fail(world, identifier, client=CLIENT):
    with pytest.raises(InvalidCredentials):
        await world.login.execute(identifier, "wrong-password", client)


async def test_too_many_failures_lock_the_identifier_even_for_the_right_password(world, ada):
    for _ in range(3):
        await fail(world, ada.email, ClientInfo(ip=None))
    verifications = world.hasher.verifications
    with pytest.raises(AccountLocked) as caught:
        await world.login.execute("ADA@example.com", ada.password, ClientInfo(ip=None))
    assert caught.value.retry_after == 15 * 60
    assert world.hasher.verifications == verifications  # refused before any password work
    world.clock.advance(minutes=15)
    assert await world.login.execute(ada.email, ada.password, ClientInfo(ip=None))


async def test_unknown_identifiers_lock_the_same_way(world):
    for _ in range(3):
        await fail(world, "ghost@example.com", ClientInfo(ip=None))
    with pytest.raises(AccountLocked):
        await world.login.execute("ghost@example.com", "whatever-pass", ClientInfo(ip=None))


async def test_success_forgets_earlier_failures(world, ada):
    for _ in range(2):
        await fail(world, ada.email, ClientInfo(ip=None))
    await world.login.execute(ada.email, ada.password, ClientInfo(ip=None))
    for _ in range(2):
        await fail(world, ada.email, ClientInfo(ip=None))
    assert await world.login.execute(ada.email, ada.password, ClientInfo(ip=None))


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
