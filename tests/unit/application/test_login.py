import uuid

import pytest

from domain.identities import LinkedAccount
from domain.errors import InvalidCredentials, InvalidInput, SocialOnlyAccount
from tests.factories import RegistrationFactory, UserFactory
from tests.unit.conftest import CLIENT


@pytest.fixture
async def ada(world):
    registration = RegistrationFactory.build(email="ada@example.com", username="Ada_L")
    await world.register.execute(registration, CLIENT)
    return registration


@pytest.mark.parametrize("identifier", ["ada@example.com", " ADA@example.com ", "ada_l", "Ada_L"])
async def test_signs_in_by_email_or_username(world, ada, identifier):
    signed_in = await world.login.execute(identifier, ada.password, CLIENT)
    assert signed_in.user.email == "ada@example.com"
    assert (await world.current_user.execute(signed_in.tokens.sid)).id == signed_in.user.id


async def test_every_login_opens_a_new_session_with_new_tokens(world, ada):
    first = await world.login.execute(ada.email, ada.password, CLIENT)
    second = await world.login.execute(ada.email, ada.password, CLIENT)
    assert first.tokens.sid != second.tokens.sid
    assert first.tokens.refresh_token != second.tokens.refresh_token
    assert len(world.db.sessions) == 3  # register + two logins


async def test_wrong_password_is_refused_without_a_session(world, ada):
    with pytest.raises(InvalidCredentials):
        await world.login.execute(ada.email, "wrong-password", CLIENT)
    assert len(world.db.sessions) == 1


async def test_unknown_login_costs_a_password_check_too(world):
    with pytest.raises(InvalidCredentials):
        await world.login.execute("nobody@example.com", "whatever-pass", CLIENT)
    assert world.hasher.verifications == 1


async def test_account_without_password_names_its_providers(world):
    user = UserFactory.build(password_hash=None)
    world.db.users[user.id] = user
    account = LinkedAccount(uuid.uuid4(), user.id, "google", "g-1", world.clock.now())
    world.db.linked_accounts[account.id] = account
    with pytest.raises(SocialOnlyAccount) as caught:
        await world.login.execute(user.email, "anything-at-all", CLIENT)
    assert caught.value.providers == ("google",)
    assert not world.db.sessions


async def test_outdated_hash_is_upgraded_on_success(world):
    user = UserFactory.build(password_hash="old$hunter2-hunter2")
    world.db.users[user.id] = user
    await world.login.execute(user.email, "hunter2-hunter2", CLIENT)
    assert world.db.users[user.id].password_hash == "fake$hunter2-hunter2"


async def test_outdated_hash_is_kept_when_the_password_is_wrong(world):
    user = UserFactory.build(password_hash="old$hunter2-hunter2")
    world.db.users[user.id] = user
    with pytest.raises(InvalidCredentials):
        await world.login.execute(user.email, "not-hunter2", CLIENT)
    assert world.db.users[user.id].password_hash == "old$hunter2-hunter2"


async def test_over_long_password_is_invalid_input(world, ada):
    with pytest.raises(InvalidInput):
        await world.login.execute(ada.email, "x" * 257, CLIENT)
