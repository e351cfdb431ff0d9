"""One person, one account, however Unicode lets them spell their email: registration,
login and provider sign-in all compare the same stored form."""

import dataclasses

import pytest

from domain.errors import EmailTaken, InvalidInput
from domain.identities import ProviderIdentity
from tests.factories import RegistrationFactory
from tests.unit.application.test_provider_sign_in import ALICE, only_user, sign_in
from tests.unit.conftest import CLIENT

COMPOSED = "jos\u00e9@example.com"
SPELLINGS = [
    pytest.param("jose\u0301@example.com", id="decomposed"),
    pytest.param("jos\u00e9@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com", id="full_width_domain"),
    pytest.param("JOSE\u0301@EXAMPLE.COM", id="decomposed_upper_case"),
]


@pytest.fixture
async def jose(world):
    registration = RegistrationFactory.build(email=COMPOSED)
    await world.register.execute(registration, CLIENT)
    return registration


@pytest.mark.parametrize("typed", SPELLINGS)
async def test_another_spelling_of_a_registered_email_is_taken(world, jose, typed):
    with pytest.raises(EmailTaken):
        await world.register.execute(RegistrationFactory.build(email=typed), CLIENT)
    assert len(world.db.users) == 1


@pytest.mark.parametrize("typed", SPELLINGS)
async def test_login_with_another_spelling_finds_the_account(world, jose, typed):
    signed_in = await world.login.execute(typed, jose.password, CLIENT)
    assert signed_in.user.email == COMPOSED


async def test_an_invisible_character_in_the_login_is_invalid_input(world, jose):
    with pytest.raises(InvalidInput) as caught:
        await world.login.execute("jos\u00e9\u200b@example.com", jose.password, CLIENT)
    assert caught.value.field == "emailOrUsername"
    assert len(world.db.sessions) == 1  # the registration's only


@pytest.mark.parametrize("field", ["email", "firstname", "lastname"])
async def test_an_invisible_character_in_a_registration_creates_nobody(world, field):
    value = {"email": "ana\u202e@example.com", "firstname": "Ana\ufeff",
             "lastname": "Ma\u00adria"}[field]
    with pytest.raises(InvalidInput) as caught:
        await world.register.execute(RegistrationFactory.build(**{field: value}), CLIENT)
    assert caught.value.field == field
    assert not world.db.users and not world.db.sessions


@pytest.mark.parametrize("typed", SPELLINGS)
async def test_a_provider_email_in_another_spelling_is_the_local_account(world, jose, typed):
    await sign_in(world, dataclasses.replace(ALICE, email=typed))
    user = only_user(world)
    assert user.email == COMPOSED and user.providers == ("google",)


async def test_a_provider_email_our_rules_refuse_is_not_stored(world):
    await sign_in(world, dataclasses.replace(ALICE, email="alice\u200b@example.com"))
    assert only_user(world).email is None


def test_a_provider_name_loses_its_invisible_characters():
    identity = ProviderIdentity("google", "g-1", given_name="\u202eAli\u200bce\u00ad ",
                                family_name="Zoe\u0308")
    assert (identity.profile().firstname, identity.profile().lastname) == ("Alice", "Zo\u00eb")
