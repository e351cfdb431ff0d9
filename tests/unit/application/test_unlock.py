"""Self-service unlock on fakes: the lock mails one link, the link lifts the lock.
(The fakes' World locks after 3 failures.)"""

import pytest

from application.ports.messages import IDENTIFIER_LOCKED
from domain.errors import AccountLocked, InvalidCredentials, InvalidToken
from domain.email_links import UNLOCK
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import PASSWORD, register, sign_in
from tests.unit.application.test_forgot_password import sent
from tests.unit.conftest import CLIENT

WRONG = "wrong-password-9"


async def fail(world, identifier="ada@example.com", times=3) -> None:
    for _ in range(times):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            await world.login.execute(identifier, WRONG, CLIENT)


async def locked(world) -> tuple:
    user, _ = await register(world, email="ada@example.com")
    await fail(world)
    return user, sent(world, IDENTIFIER_LOCKED)[-1].secrets["token"]


async def test_the_failure_that_locks_an_account_mails_one_unlock_link_valid_1_hour(world):
    user, _ = await register(world, email="ada@example.com")
    await fail(world, times=2)
    assert sent(world, IDENTIFIER_LOCKED) == []

    await fail(world, times=1)

    [email] = sent(world, IDENTIFIER_LOCKED)
    assert (email.channel, email.recipient) == ("email", "ada@example.com")
    link = world.db.email_links[world.tokens.digest(email.secrets["token"])].email_link
    assert (link.purpose, link.user_id, link.expires_at - world.clock.now()) == (UNLOCK, user.id, world.email_links.policy.unlock_ttl)
    assert (user.id, "account_locked", {}) in world.db.events


async def test_the_right_password_on_the_last_allowed_attempt_signs_in_and_sends_nothing(world):
    await register(world, email="ada@example.com")
    await fail(world, times=2)
    await world.login.execute("ada@example.com", PASSWORD, CLIENT)
    assert sent(world, IDENTIFIER_LOCKED) == []


async def test_one_lock_sends_one_email_however_many_attempts_it_refuses(world):
    await register(world, email="ada@example.com")
    await fail(world, times=5)  # the per-address limit allows 5
    assert len(sent(world, IDENTIFIER_LOCKED)) == 1


async def test_a_new_lock_after_the_last_one_ended_sends_a_new_email(world):
    await register(world, email="ada@example.com")
    await fail(world)
    world.clock.advance(seconds=world.limits.lockout.total_seconds() + 1)
    await fail(world)
    assert len(sent(world, IDENTIFIER_LOCKED)) == 2


async def test_an_unknown_identifier_locks_but_sends_nothing(world):
    await fail(world, identifier="nobody@example.com", times=5)
    assert world.db.outbox == [] and world.db.events == []


async def test_an_account_without_email_records_the_lock_but_sends_nothing(world):
    user = UserFactory.build(email=None, username="ada", password_hash=f"fake${PASSWORD}")
    await sign_in(world, user)
    await fail(world, identifier="ada")
    assert sent(world, IDENTIFIER_LOCKED) == []
    assert (user.id, "account_locked", {}) in world.db.events


async def test_the_unlock_link_lifts_the_lock(world):
    user, token = await locked(world)
    with pytest.raises(AccountLocked):
        await world.login.execute("ada@example.com", PASSWORD, CLIENT)

    await world.unlock.execute(token, CLIENT)

    assert (await world.login.execute("ada@example.com", PASSWORD, CLIENT)).user.id == user.id
    assert (user.id, "account_unlocked", {}) in world.db.events


async def test_the_unlock_link_works_once(world):
    _, token = await locked(world)
    await world.unlock.execute(token, CLIENT)
    with pytest.raises(InvalidToken):
        await world.unlock.execute(token, CLIENT)


async def test_the_unlock_link_expires_after_1_hour(world):
    _, token = await locked(world)
    world.clock.advance(hours=1, seconds=1)
    with pytest.raises(InvalidToken):
        await world.unlock.execute(token, CLIENT)


@pytest.mark.parametrize("token", ["", "unknown-token"])
async def test_an_unknown_unlock_token_is_invalid_and_leaves_the_lock(world, token):
    await locked(world)
    with pytest.raises(InvalidToken):
        await world.unlock.execute(token, CLIENT)
    with pytest.raises(AccountLocked):
        await world.login.execute("ada@example.com", PASSWORD, CLIENT)


async def test_a_not_you_token_does_not_unlock(world):
    await locked(world)
    secure = next(m for m in world.db.outbox if m.template != IDENTIFIER_LOCKED)  # verification link
    with pytest.raises(InvalidToken):
        await world.unlock.execute(secure.secrets["token"], CLIENT)
