"""DELETE /auth/accounts/{provider} on fakes: never the last way to sign in, even when two
unlinks run at once (the decision is taken under a lock on the user's row)."""

import asyncio
import uuid

import pytest

from domain.errors import LastLoginMethod
from domain.identities import LinkedAccount
from tests.factories import UserFactory, passkey_of
from tests.unit.application.test_email_verification import sign_in
from tests.unit.conftest import CLIENT


async def without_password(world, *providers: str) -> tuple[str, uuid.UUID]:
    user = UserFactory.build(password_hash=None)
    sid = await sign_in(world, user)
    async with world.new_uow() as uow:
        for provider in providers:
            await uow.linked_accounts.add(LinkedAccount(uuid.uuid4(), user.id, provider, f"{provider}-sub",
                                                 world.clock.now()))
        await uow.commit()
    return sid, user.id


async def outcome(call) -> str:
    try:
        await call
    except LastLoginMethod:
        return "last_login_method"
    return "unlinked"


async def test_two_unlinks_at_once_leave_one_provider(world):
    sid, user_id = await without_password(world, "github", "google")
    answers = await asyncio.gather(
        outcome(world.unlink.execute(sid, "google", CLIENT)),
        outcome(world.unlink.execute(sid, "github", CLIENT)),
    )
    assert sorted(answers) == ["last_login_method", "unlinked"]
    assert len(world.db.user(user_id).providers) == 1
    assert [e[1] for e in world.db.events if e[1] == "provider_unlinked"] == ["provider_unlinked"]


async def test_the_password_is_read_once_the_lock_is_held(world):
    """The signed-in user read before the lock is stale: a password removed by a transaction
    the unlink waited for counts."""
    user = UserFactory.build()  # a password and one provider: either may go, not both
    sid = await sign_in(world, user)
    async with world.new_uow() as uow:
        await uow.linked_accounts.add(LinkedAccount(uuid.uuid4(), user.id, "google", "google-sub", world.clock.now()))
        await uow.commit()
    async with world.new_uow() as other:
        await other.users.by_id_for_update(user.id)
        unlink = asyncio.create_task(outcome(world.unlink.execute(sid, "google", CLIENT)))
        await asyncio.sleep(0.01)  # the unlink has read the session, and waits for the row
        assert not unlink.done()
        await other.users.set_password_hash(user.id, None)
        await other.commit()
    assert await unlink == "last_login_method"
    assert world.db.user(user.id).providers == ("google",)


async def test_a_refused_unlink_releases_the_row(world):
    sid, user_id = await without_password(world, "facebook", "github", "google")
    answers = await asyncio.wait_for(asyncio.gather(*(
        outcome(world.unlink.execute(sid, provider, CLIENT)) for provider in ("facebook", "github", "google")
    )), timeout=1)
    assert sorted(answers) == ["last_login_method", "unlinked", "unlinked"]
    (left,) = world.db.user(user_id).providers
    with pytest.raises(LastLoginMethod):
        await asyncio.wait_for(world.unlink.execute(sid, left, CLIENT), timeout=1)


async def test_a_passkey_is_a_way_to_sign_in_that_lets_the_last_provider_go(world):
    sid, user_id = await without_password(world, "google")
    with pytest.raises(LastLoginMethod):
        await world.unlink.execute(sid, "google", CLIENT)
    async with world.new_uow() as uow:
        await uow.passkeys.add(passkey_of(world.db.user(user_id)))
        await uow.commit()
    await world.unlink.execute(sid, "google", CLIENT)
    assert world.db.user(user_id).providers == ()
