"""The profile update and the verified-phone rule, on the fakes and on PostgreSQL."""

import asyncio
from datetime import UTC, datetime

import pytest

from domain.errors import PhoneTaken, UsernameTaken
from domain.profile import ProfileChanges
from domain.users import Profile
from tests.factories import UserFactory

NOW = datetime(2026, 1, 2, tzinfo=UTC)
NUMBER = "+33612345678"


async def add(store, user):
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def update(store, user_id, **changes):
    async with store.new_uow() as uow:
        await uow.users.update_profile(user_id, ProfileChanges(**changes), NOW)
        await uow.commit()


async def read(store, user_id):
    async with store.new_uow() as uow:
        return await uow.users.by_id(user_id)


async def test_only_the_changed_fields_are_written(store):
    user = await add(store, UserFactory.build(username="ada", profile=Profile("Ada", "Lovelace", "https://e.x/a", "fr")))
    await update(store, user.id, lastname="Byron", photo=None, username="Ada.B")
    stored = await read(store, user.id)
    assert stored.profile == Profile("Ada", "Byron", None, "fr")
    assert stored.username == "Ada.B" and stored.email == user.email


async def test_concurrent_edits_of_different_fields_both_stay(store):
    user = await add(store, UserFactory.build())
    await asyncio.gather(update(store, user.id, firstname="Zoé"), update(store, user.id, locale="en"))
    stored = await read(store, user.id)
    assert (stored.profile.firstname, stored.profile.locale) == ("Zoé", "en")


async def test_a_new_number_is_unverified(store):
    user = await add(store, UserFactory.build(phone_number=NUMBER, phone_verified_at=NOW))
    await update(store, user.id, phone_number="+33700000001")
    stored = await read(store, user.id)
    assert (stored.phone_number, stored.phone_verified_at) == ("+33700000001", None)


async def test_a_username_taken_by_another_account_raises(store):
    await add(store, UserFactory.build(username="Ada"))
    user = await add(store, UserFactory.build(username="bob"))
    with pytest.raises(UsernameTaken):
        await update(store, user.id, username="ADA")
    assert (await read(store, user.id)).username == "bob"


async def test_several_accounts_may_type_one_number_but_one_may_verify_it(store):
    first = await add(store, UserFactory.build())
    second = await add(store, UserFactory.build())
    for user in (first, second):
        await update(store, user.id, phone_number=NUMBER)
    async with store.new_uow() as uow:
        assert await uow.users.mark_phone_verified(first.id, NUMBER, NOW)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(PhoneTaken):
            await uow.users.mark_phone_verified(second.id, NUMBER, NOW)
    async with store.new_uow() as uow:
        assert (await uow.users.by_verified_phone(NUMBER)).id == first.id
    assert not (await read(store, second.id)).phone_verified


async def test_verifying_a_number_the_user_no_longer_has_changes_nothing(store):
    user = await add(store, UserFactory.build(phone_number="+33700000001"))
    async with store.new_uow() as uow:
        assert not await uow.users.mark_phone_verified(user.id, NUMBER, NOW)
        await uow.commit()
    assert not (await read(store, user.id)).phone_verified
