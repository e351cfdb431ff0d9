"""What giving an account back needs of the repositories, on the fakes and on PostgreSQL:
when a number was set, removing it, voiding an account's codes and links (with a count), and
when a link was minted."""

from datetime import timedelta

from domain.codes import CodeCheck
from domain.email_links import CHANGE_EMAIL, SECURE_ACCOUNT, EmailLink
from domain.profile import ProfileChanges
from tests.factories import UserFactory
from tests.integration.test_email_link_repository import NOW, consume, digest, new_email_link
from tests.integration.test_phone_code_repository import NUMBER, RIGHT, check, user_with_code


async def test_a_new_number_remembers_when_it_was_set_and_removing_it_forgets_it(store):
    user = UserFactory.build()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.users.update_profile(user.id, ProfileChanges(phone_number=NUMBER), NOW)
        await uow.users.mark_phone_verified(user.id, NUMBER, NOW)
        await uow.commit()
    async with store.new_uow() as uow:
        stored = await uow.users.by_id(user.id)
        assert (stored.phone_number, stored.phone_changed_at, stored.phone_verified_at) == (NUMBER, NOW, NOW)
        later = NOW + timedelta(minutes=1)
        await uow.users.remove_phone(user.id, later)
        await uow.commit()
    async with store.new_uow() as uow:
        stored = await uow.users.by_id(user.id)
    assert (stored.phone_number, stored.phone_verified_at, stored.phone_changed_at) == (None, None, later)
    assert await _by_verified_phone(store) is None


async def _by_verified_phone(store):
    async with store.new_uow() as uow:
        return await uow.users.by_verified_phone(NUMBER)


async def test_voiding_an_accounts_codes_uses_up_every_live_one(store):
    user = await user_with_code(store)
    async with store.new_uow() as uow:
        await uow.phone_codes.void(user.id, NOW)
        await uow.commit()
    assert await check(store, user.id, RIGHT) is CodeCheck.NO_CODE


async def test_voiding_links_says_how_many_were_live(store):
    name, user = await new_email_link(store, CHANGE_EMAIL, "thief@evil.example")
    await new_email_link(store, CHANGE_EMAIL, "thief2@evil.example", user=user)
    async with store.new_uow() as uow:
        assert await uow.email_links.void(user.id, CHANGE_EMAIL, NOW) == 2
        assert await uow.email_links.void(user.id, CHANGE_EMAIL, NOW) == 0
        await uow.commit()
    assert await consume(store, name, (CHANGE_EMAIL,)) is None


async def test_a_link_says_when_it_was_minted_and_which_address_its_notice_went_to(store):
    name, user = await new_email_link(store, SECURE_ACCOUNT, "ada@example.com", ttl=timedelta(days=7))
    link = await consume(store, name, (SECURE_ACCOUNT,))
    assert link == EmailLink(user.id, SECURE_ACCOUNT, "ada@example.com", NOW + timedelta(days=7), NOW)
