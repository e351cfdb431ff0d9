"""The email link repository: single use, one purpose, expiry; atomic on PostgreSQL."""

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from domain.email_links import CHANGE_EMAIL, PASSWORD_RESET, RESET_TOKEN, SECURE_ACCOUNT, VERIFY_EMAIL, EmailLink
from tests.factories import UserFactory

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ADDRESS_PURPOSES = (VERIFY_EMAIL, CHANGE_EMAIL)
RESET_PURPOSES = (PASSWORD_RESET, RESET_TOKEN)


def digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


async def new_email_link(store, purpose=VERIFY_EMAIL, email="ada@example.com", ttl=timedelta(hours=24), user=None):
    user = user or UserFactory.build()
    name = f"link-{uuid.uuid4()}"
    async with store.new_uow() as uow:
        if await uow.users.by_id(user.id) is None:
            await uow.users.add(user)
        await uow.email_links.add(digest(name), EmailLink(user.id, purpose, email, NOW + ttl), NOW)
        await uow.commit()
    return name, user


async def consume(store, name, purposes=ADDRESS_PURPOSES, now=NOW):
    async with store.new_uow() as uow:
        link = await uow.email_links.consume([digest(name)], purposes, now)
        await uow.commit()
    return link


async def test_a_token_is_consumed_once(store):
    name, user = await new_email_link(store, CHANGE_EMAIL, "new@example.com")
    first = await consume(store, name)
    assert first == EmailLink(user.id, CHANGE_EMAIL, "new@example.com", NOW + timedelta(hours=24), NOW)
    assert await consume(store, name) is None


async def test_an_unknown_token_is_nothing(store):
    assert await consume(store, "never-issued") is None


async def test_a_token_is_good_for_its_purpose_only(store):
    name, _ = await new_email_link(store, SECURE_ACCOUNT, None)
    assert await consume(store, name, ADDRESS_PURPOSES) is None
    assert (await consume(store, name, (SECURE_ACCOUNT,))).purpose == SECURE_ACCOUNT


async def test_a_token_expires(store):
    name, _ = await new_email_link(store, ttl=timedelta(hours=24))
    assert await consume(store, name, now=NOW + timedelta(hours=24)) is None
    assert await consume(store, name, now=NOW + timedelta(hours=24) - timedelta(seconds=1)) is not None


async def test_a_rolled_back_consume_leaves_the_token_usable(store):
    name, _ = await new_email_link(store)
    async with store.new_uow() as uow:
        assert await uow.email_links.consume([digest(name)], ADDRESS_PURPOSES, NOW) is not None
    assert await consume(store, name) is not None


async def test_void_uses_up_the_user_s_pending_tokens_of_one_purpose(store):
    old, user = await new_email_link(store, CHANGE_EMAIL, "a@example.com")
    other_purpose, _ = await new_email_link(store, VERIFY_EMAIL, user=user)
    async with store.new_uow() as uow:
        await uow.email_links.void(user.id, CHANGE_EMAIL, NOW)
        await uow.commit()
    assert await consume(store, old) is None
    assert await consume(store, other_purpose) is not None


async def test_ten_concurrent_consumes_of_one_token_give_it_to_exactly_one(store):
    name, _ = await new_email_link(store)
    results = await asyncio.gather(*(consume(store, name) for _ in range(10)))
    assert sum(result is not None for result in results) == 1


async def test_peek_sees_a_live_token_without_using_it(store):
    name, user = await new_email_link(store, PASSWORD_RESET, "ada@example.com", ttl=timedelta(minutes=15))
    async with store.new_uow() as uow:
        seen = await uow.email_links.peek([digest(name)], RESET_PURPOSES, NOW)
        assert await uow.email_links.peek([digest(name)], ADDRESS_PURPOSES, NOW) is None  # another purpose
        assert await uow.email_links.peek([digest(name)], RESET_PURPOSES, NOW + timedelta(minutes=15)) is None  # expired
    assert seen == EmailLink(user.id, PASSWORD_RESET, "ada@example.com", NOW + timedelta(minutes=15), NOW)
    assert await consume(store, name, RESET_PURPOSES) == seen
    async with store.new_uow() as uow:
        assert await uow.email_links.peek([digest(name)], RESET_PURPOSES, NOW) is None  # used
