"""A full queue of password work refuses at once, before any account work."""

import pytest

from domain.errors import PasswordWorkBusy
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


@pytest.fixture
async def ada(world):
    registration = RegistrationFactory.build(email="ada@example.com")
    signed_in = await world.register.execute(registration, CLIENT)
    world.hasher.queue_limit = 0  # from now on the queue is full
    world.hasher.hashes = world.hasher.verifications = 0
    world.counted_before = dict(world.attempts.windows)
    return registration, signed_in.tokens


async def test_a_login_is_refused_before_counting_anything(world, ada):
    registration, _ = ada
    sessions = len(world.db.sessions)
    for password in (registration.password, "wrong-password"):
        with pytest.raises(PasswordWorkBusy):
            await world.login.execute(registration.email, password, CLIENT)
    assert world.attempts.windows == world.counted_before  # neither the address nor the account
    assert (world.hasher.verifications, len(world.db.sessions)) == (0, sessions)


async def test_a_registration_is_refused_before_any_lookup_or_hash(world, ada):
    with pytest.raises(PasswordWorkBusy):
        await world.register.execute(RegistrationFactory.build(), CLIENT)
    assert (world.hasher.hashes, len(world.db.users)) == (0, 1)
    assert world.attempts.windows == world.counted_before


async def test_a_password_change_is_refused_before_checking_the_current_one(world, ada):
    registration, tokens = ada
    with pytest.raises(PasswordWorkBusy):
        await world.change_password.execute(tokens.sid, "wrong-password", "a-New-passw0rd!", CLIENT)
    assert world.hasher.verifications == 0
    assert world.attempts.windows == world.counted_before


async def test_places_come_back(world, ada):
    registration, _ = ada
    world.hasher.queue_limit = 1
    for _ in range(3):
        await world.login.execute(registration.email, registration.password, CLIENT)
    assert world.hasher.queued == 0
