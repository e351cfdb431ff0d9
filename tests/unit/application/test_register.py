import pytest

from domain.errors import EmailTaken, InvalidInput, UsernameTaken, WeakPassword
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


async def test_creates_the_user_and_signs_it_in(world):
    registration = RegistrationFactory.build(email="Ada@Example.com", firstname="", lastname=None)
    signed_in = await world.register.execute(registration, CLIENT)

    user = world.db.users[signed_in.user.id]
    assert user.email == "ada@example.com"
    assert user.password_hash == f"fake${registration.password}"
    assert user.profile.firstname is None  # "" means not given
    session = world.db.sessions[next(iter(world.db.sessions))]
    assert (session.user_id, session.ip, session.user_agent) == (user.id, "203.0.113.7", "pytest")
    assert await world.current_user.execute(signed_in.tokens.sid) == user


async def test_cookie_lifetimes_follow_the_policy(world):
    tokens = (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens
    assert (tokens.sid_max_age, tokens.refresh_max_age) == (900, 30 * 24 * 3600)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"email": "not-an-email"}, InvalidInput),
        ({"password": "password1"}, WeakPassword),
        ({"password": "short"}, WeakPassword),
        ({"username": "no"}, InvalidInput),
        ({"firstname": "x" * 101}, InvalidInput),
    ],
)
async def test_bad_input_changes_nothing(world, changes, error):
    with pytest.raises(error):
        await world.register.execute(RegistrationFactory.build(**changes), CLIENT)
    assert not world.db.users and not world.db.sessions


async def test_email_is_unique_case_insensitively(world):
    await world.register.execute(RegistrationFactory.build(email="ada@example.com"), CLIENT)
    with pytest.raises(EmailTaken):
        await world.register.execute(RegistrationFactory.build(email="ADA@example.com"), CLIENT)
    assert len(world.db.users) == 1 and len(world.db.sessions) == 1


async def test_username_is_unique_case_insensitively(world):
    await world.register.execute(RegistrationFactory.build(username="Ada"), CLIENT)
    with pytest.raises(UsernameTaken):
        await world.register.execute(RegistrationFactory.build(username="ada"), CLIENT)
    assert len(world.db.users) == 1
