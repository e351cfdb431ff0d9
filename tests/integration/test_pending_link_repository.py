"""The pending-link repository: the whole identity comes back, once, until it expires;
atomic on PostgreSQL."""

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from domain.flows import PendingLink
from domain.identities import ProviderIdentity, ProviderTokens
from tests.factories import UserFactory

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
IDENTITY = ProviderIdentity(
    provider="google", subject="g-ada", email="Ada@Example.com", email_verified=False,
    given_name="Ada", family_name="Lovelace", name="Ada Lovelace", picture="https://img.example/a.png",
    locale="en", tokens=ProviderTokens("at", "rt", "idt", NOW + timedelta(hours=1), "openid email"),
)


async def new_pending_link(store, ttl=timedelta(minutes=10)) -> PendingLink:
    user = UserFactory.build()
    link = PendingLink(hashlib.sha256(uuid.uuid4().bytes).digest(), user.id, IDENTITY, NOW, NOW + ttl)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.pending_links.add(link)
        await uow.commit()
    return link


async def take(store, digest, now=NOW):
    async with store.new_uow() as uow:
        link = await uow.pending_links.take([digest], now)
        await uow.commit()
    return link


async def test_the_whole_identity_comes_back_once(store):
    link = await new_pending_link(store)
    assert await take(store, link.browser_digest) == link
    assert await take(store, link.browser_digest) is None


async def test_an_expired_link_is_nothing_and_is_gone(store):
    link = await new_pending_link(store)
    assert await take(store, link.browser_digest, NOW + timedelta(minutes=10)) is None
    assert await take(store, link.browser_digest, NOW) is None


async def test_concurrent_takes_have_one_winner(store):
    link = await new_pending_link(store)
    taken = await asyncio.gather(*(take(store, link.browser_digest) for _ in range(5)))
    assert [t for t in taken if t is not None] == [link]
