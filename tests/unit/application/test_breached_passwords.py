"""A new password found in known data breaches (the BreachedPasswords port) is refused by
registration, reset (mailed link or WhatsApp code) and change, before anything is written."""

import pytest

from application.ports.messages import PASSWORD_CHANGED
from domain.errors import BreachedPassword, WeakPassword
from tests.factories import RegistrationFactory, UserFactory
from tests.unit.application.test_email_verification import PASSWORD, new_session, register, sign_in
from tests.unit.application.test_forgot_password import sent, with_verified_phone
from tests.unit.application.test_password_reset import NEW, mailed_token, reset_token_by_phone
from tests.unit.conftest import CLIENT

BREACHED = "breached-but-long-enough-1"


@pytest.fixture
def world(world):
    world.breached.breached.add(BREACHED)
    return world


async def test_registration_refuses_a_breached_password_and_creates_nothing(world):
    with pytest.raises(BreachedPassword):
        await world.register.execute(RegistrationFactory.build(password=BREACHED), CLIENT)
    assert not world.db.users and not world.db.sessions and not world.db.outbox
    assert world.hasher.hashes == 0
    assert world.telemetry.registrations == ["breached_password"]


async def test_a_refused_breached_password_counts_nothing_toward_the_address_limit(world):
    for _ in range(world.register_limit.requests + 1):
        with pytest.raises(BreachedPassword):
            await world.register.execute(RegistrationFactory.build(password=BREACHED), CLIENT)
    await world.register.execute(RegistrationFactory.build(password=NEW), CLIENT)


async def test_a_password_in_no_breach_registers(world):
    signed_in = await world.register.execute(RegistrationFactory.build(password=NEW), CLIENT)
    assert world.db.users[signed_in.user.id].password_hash == f"fake${NEW}"
    assert world.breached.asked == 1


async def test_a_weak_password_is_refused_without_asking(world):
    with pytest.raises(WeakPassword):
        await world.register.execute(RegistrationFactory.build(password="short"), CLIENT)
    assert world.breached.asked == 0


@pytest.mark.parametrize("by", ["email", "phone"])
async def test_a_reset_refuses_a_breached_password_and_leaves_the_token_usable(world, by):
    if by == "email":
        user, sid = await register(world, email="ada@example.com")
        token = await mailed_token(world)
    else:
        user, sid = await with_verified_phone(world)
        token = await reset_token_by_phone(world)

    with pytest.raises(BreachedPassword):
        await world.reset_password.execute(token, BREACHED, CLIENT)

    assert world.db.users[user.id].password_hash == f"fake${PASSWORD}"
    assert await world.current_user.execute(sid) is not None
    assert not sent(world, PASSWORD_CHANGED)
    await world.reset_password.execute(token, NEW, CLIENT)  # the token still works
    assert world.db.users[user.id].password_hash == f"fake${NEW}"


async def test_a_change_refuses_a_breached_password_and_costs_no_check(world):
    user, sid = await register(world)
    other = await new_session(world, user.id)
    verifications = world.hasher.verifications

    with pytest.raises(BreachedPassword):
        await world.change_password.execute(sid, PASSWORD, BREACHED, CLIENT)

    assert world.hasher.verifications == verifications
    assert world.db.users[user.id].password_hash == f"fake${PASSWORD}"
    assert await world.current_user.execute(other) is not None
    assert not sent(world, PASSWORD_CHANGED)


async def test_a_first_password_may_not_be_breached_either(world):
    user = UserFactory.build(email="social@example.com", password_hash=None)
    sid = await sign_in(world, user)
    with pytest.raises(BreachedPassword):
        await world.change_password.execute(sid, None, BREACHED, CLIENT)
    assert world.db.users[user.id].password_hash is None
