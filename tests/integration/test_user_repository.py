from datetime import UTC, datetime

import pytest

from domain.errors import EmailTaken, UsernameTaken
from domain.users import Profile
from tests.factories import UserFactory


async def add(store, user):
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()


async def test_round_trips_a_user_with_its_profile(store):
    user = UserFactory.build(username="Ada_L", profile=Profile("Ada", "Lovelace", "https://x/p.png", "fr"))
    await add(store, user)
    async with store.new_uow() as uow:
        assert await uow.users.by_login(user.email) == user
        assert await uow.users.by_login("ADA_l") == user


async def test_unknown_login_is_none(store):
    async with store.new_uow() as uow:
        assert await uow.users.by_login("nobody@example.com") is None
        assert await uow.users.by_login("nobody") is None


async def test_duplicates_raise_domain_errors(store):
    await add(store, UserFactory.build(email="ada@example.com", username="Ada"))
    with pytest.raises(EmailTaken):
        await add(store, UserFactory.build(email="ada@example.com"))
    with pytest.raises(UsernameTaken):
        await add(store, UserFactory.build(username="ADA"))


async def test_without_commit_nothing_is_written(store):
    user = UserFactory.build()
    async with store.new_uow() as uow:
        await uow.users.add(user)
    async with store.new_uow() as uow:
        assert await uow.users.by_login(user.email) is None


async def test_set_password_hash(store):
    user = UserFactory.build()
    await add(store, user)
    async with store.new_uow() as uow:
        await uow.users.set_password_hash(user.id, "fake$new")
        await uow.commit()
    async with store.new_uow() as uow:
        assert (await uow.users.by_login(user.email)).password_hash == "fake$new"


async def test_a_changed_email_is_verified_and_stays_unique(store):
    now = datetime(2026, 3, 1, tzinfo=UTC)
    ada, bob = UserFactory.build(email="ada@example.com"), UserFactory.build(email="bob@example.com")
    await add(store, ada)
    await add(store, bob)
    async with store.new_uow() as uow:
        await uow.users.change_email(ada.id, "ada.new@example.com", now)
        await uow.commit()
    async with store.new_uow() as uow:
        changed = await uow.users.by_id(ada.id)
        assert (changed.email, changed.email_verified_at) == ("ada.new@example.com", now)
        with pytest.raises(EmailTaken):
            await uow.users.change_email(bob.id, "ada.new@example.com", now)
