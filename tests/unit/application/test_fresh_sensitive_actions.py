"""The sensitive actions that existed before the second factor now need a fresh session:
unlinking a provider always, changing the email or setting a first password only for an
account without a password (one with a password gives it, which is proof enough)."""

import uuid

import pytest

from domain.errors import ReauthRequired
from domain.identities import LinkedAccount
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import sign_in
from tests.unit.application.test_totp_setup import go_stale
from tests.unit.conftest import CLIENT

PASSWORD = "correct-horse-battery-42"


async def with_providers(world, *providers: str, **changes):
    """A signed-in account linked to `providers`: (user, sid)."""
    user = UserFactory.build(**{"email_verified_at": world.clock.now(), **changes})
    sid = await sign_in(world, user)
    async with world.new_uow() as uow:
        for provider in providers:
            await uow.linked_accounts.add(
                LinkedAccount(uuid.uuid4(), user.id, provider, uuid.uuid4().hex, world.clock.now())
            )
        await uow.commit()
    return user, sid


def linked(world, user) -> set[str]:
    return {a.provider for a in world.db.linked_accounts.values() if a.user_id == user.id}


class TestUnlink:
    async def test_a_stale_session_cannot_unlink_and_is_told_how_to_prove_itself(self, world):
        user, sid = await with_providers(world, "github", "google", password_hash=None)
        go_stale(world)
        with pytest.raises(ReauthRequired) as caught:
            await world.unlink.execute(sid, "github", CLIENT)
        assert caught.value.methods == ["github", "google"]
        assert linked(world, user) == {"github", "google"}

    async def test_an_account_with_a_password_too(self, world):
        user, sid = await with_providers(world, "google", password_hash=await world.hasher.hash(PASSWORD))
        go_stale(world)
        with pytest.raises(ReauthRequired) as caught:
            await world.unlink.execute(sid, "google", CLIENT)
        assert caught.value.methods == ["password", "google"]

    async def test_a_fresh_session_unlinks(self, world):
        user, sid = await with_providers(world, "github", "google", password_hash=None)
        await world.unlink.execute(sid, "github", CLIENT)
        assert linked(world, user) == {"google"}


class TestChangeEmail:
    async def test_without_a_password_a_stale_session_is_refused(self, world):
        user, sid = await with_providers(world, "google", password_hash=None)
        go_stale(world)
        with pytest.raises(ReauthRequired):
            await world.change_email.execute(sid, "new@example.com", None, CLIENT)
        assert world.db.outbox == []

    async def test_with_a_password_the_password_is_proof_enough(self, world):
        _, sid = await with_providers(world, password_hash=await world.hasher.hash(PASSWORD))
        go_stale(world)
        await world.change_email.execute(sid, "new@example.com", PASSWORD, CLIENT)
        assert any(message.recipient == "new@example.com" for message in world.db.outbox)


class TestFirstPassword:
    async def test_without_a_password_a_stale_session_cannot_set_one(self, world):
        user, sid = await with_providers(world, "google", password_hash=None)
        go_stale(world)
        with pytest.raises(ReauthRequired):
            await world.change_password.execute(sid, None, "a-brand-new-password-9", CLIENT)
        assert world.db.users[user.id].password_hash is None

    async def test_a_fresh_session_sets_it(self, world):
        user, sid = await with_providers(world, "google", password_hash=None)
        await world.change_password.execute(sid, None, "a-brand-new-password-9", CLIENT)
        assert world.db.users[user.id].password_hash is not None

    async def test_with_a_password_a_stale_session_changes_it_by_giving_it(self, world):
        user, sid = await with_providers(world, password_hash=await world.hasher.hash(PASSWORD))
        go_stale(world)
        await world.change_password.execute(sid, PASSWORD, "a-brand-new-password-9", CLIENT)
        assert world.db.users[user.id].password_hash != user.password_hash
