"""Re-authentication on fakes: the password, the code, or both, as the account has them;
counted toward the account's lock; the session fresh again."""

import uuid
from datetime import timedelta

import pytest

from application.policy import FreshnessPolicy
from application.ports.messages import IDENTIFIER_LOCKED
from domain.errors import (
    AccountLocked,
    InvalidCode,
    InvalidInput,
    InvalidPassword,
    NotAuthenticated,
    PasswordWorkBusy,
    ReauthRequired,
)
from domain.identities import LinkedAccount
from domain.totp import hotp, time_step, totp
from tests.unit.application.test_email_verification import PASSWORD
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_totp_setup import go_stale, secret_of, signed_in, with_totp
from tests.unit.conftest import CLIENT


async def stale_with_password(world):
    user, sid = await signed_in(world, password_hash=f"fake${PASSWORD}", email="ada@example.com")
    go_stale(world)
    return user, sid


async def stale_with_totp(world, **changes):
    user, sid, secret, _ = await with_totp(world, **{"password_hash": f"fake${PASSWORD}", **changes})
    go_stale(world)
    return user, sid, secret


async def social_only(world, **changes):
    user, sid = await signed_in(world, password_hash=None, **changes)
    account = LinkedAccount(uuid.uuid4(), user.id, "google", "g-1", world.clock.now())
    world.db.linked_accounts[account.id] = account
    return user, sid


class TestPassword:
    async def test_the_password_makes_the_session_fresh_for_max_age(self, world):
        user, sid = await stale_with_password(world)
        fresh_until = await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)
        assert fresh_until == world.clock.now() + world.freshness_policy.max_age
        assert (user.id, "reauthenticated", {"methods": ["password"]}) in world.db.events
        assert (await world.set_up_totp.execute(sid)).secret

    async def test_a_refresh_after_it_keeps_it_fresh(self, world):
        user, _ = await stale_with_password(world)
        signed_in_now = await world.login.execute(user.email, PASSWORD, CLIENT)
        go_stale(world)
        await world.reauthenticate.execute(signed_in_now.tokens.sid, CLIENT, password=PASSWORD)
        refreshed = await world.refresh.execute(signed_in_now.tokens.refresh_token, CLIENT)
        assert (await world.set_up_totp.execute(refreshed.sid)).secret

    async def test_a_wrong_password_is_refused_and_leaves_it_stale(self, world):
        user, sid = await stale_with_password(world)
        with pytest.raises(InvalidPassword):
            await world.reauthenticate.execute(sid, CLIENT, password="wrong-password-9")
        with pytest.raises(ReauthRequired):
            await world.set_up_totp.execute(sid)
        assert not any(kind == "reauthenticated" for _, kind, _ in world.db.events)

    async def test_wrong_passwords_lock_the_account_like_failed_logins(self, world):
        user, sid = await stale_with_password(world)
        for _ in range(world.limits.failures):
            with pytest.raises(InvalidPassword):
                await world.reauthenticate.execute(sid, CLIENT, password="wrong-password-9")
        assert len(sent(world, IDENTIFIER_LOCKED)) == 1
        with pytest.raises(AccountLocked):
            await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)
        with pytest.raises(AccountLocked):
            await world.login.execute("ada@example.com", PASSWORD, CLIENT)

    async def test_a_right_one_clears_the_count(self, world):
        user, sid = await stale_with_password(world)
        for _ in range(world.limits.failures - 1):
            with pytest.raises(InvalidPassword):
                await world.reauthenticate.execute(sid, CLIENT, password="wrong-password-9")
        await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)
        with pytest.raises(InvalidPassword):  # a first failure again, not the locking one
            await world.reauthenticate.execute(sid, CLIENT, password="wrong-password-9")
        assert sent(world, IDENTIFIER_LOCKED) == []

    @pytest.mark.parametrize("answer", [{}, {"password": ""}, {"code": "123456"}, {"password": PASSWORD, "code": "1"}])
    async def test_what_the_account_does_not_ask_for_or_misses_is_a_bad_input_counting_nothing(self, world, answer):
        _, sid = await stale_with_password(world)
        with pytest.raises(InvalidInput):
            await world.reauthenticate.execute(sid, CLIENT, **answer)
        assert world.attempts.windows == {} and world.hasher.verifications == 0

    async def test_busy_password_work_answers_at_once_counting_nothing(self, world):
        _, sid = await stale_with_password(world)
        world.hasher.queue_limit = 0
        with pytest.raises(PasswordWorkBusy):
            await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)
        assert world.attempts.windows == {}

    async def test_needs_a_session(self, world):
        with pytest.raises(NotAuthenticated):
            await world.reauthenticate.execute(None, CLIENT, password=PASSWORD)


class TestWithTotp:
    async def test_the_password_and_a_code_both(self, world):
        user, sid, secret = await stale_with_totp(world)
        with pytest.raises(InvalidInput):
            await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)
        await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD, code=totp(secret, world.clock.now()))
        assert (user.id, "reauthenticated", {"methods": ["password", "totp"]}) in world.db.events
        await world.disable_totp.execute(sid, CLIENT)

    async def test_a_wrong_or_replayed_code_is_refused_and_counted(self, world):
        world.freshness_policy = FreshnessPolicy(max_age=timedelta(minutes=2))  # twice stale within a sid's life
        user, sid, secret = await stale_with_totp(world)
        code = totp(secret, world.clock.now())
        await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD, code=code)
        go_stale(world)
        wrong = hotp(secret, time_step(world.clock.now()) + 3)
        for answer in (wrong, code):
            with pytest.raises(InvalidCode):
                await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD, code=answer)
        with pytest.raises(ReauthRequired):
            await world.disable_totp.execute(sid, CLIENT)
        assert len(sent(world, IDENTIFIER_LOCKED)) == 0 and sum(
            hits for hits, _ in world.attempts.windows.values()) == 2

    async def test_a_wrong_password_is_said_before_the_code_is_looked_at(self, world):
        user, sid, secret = await stale_with_totp(world)
        with pytest.raises(InvalidPassword):
            await world.reauthenticate.execute(sid, CLIENT, password="wrong-password-9", code="000000")

    async def test_an_account_without_password_gives_the_code_alone(self, world):
        user, sid = await social_only(world)
        secret = secret_of(await world.set_up_totp.execute(sid))
        await world.confirm_totp.execute(sid, totp(secret, world.clock.now()), CLIENT)
        go_stale(world)
        with pytest.raises(InvalidInput):
            await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD, code=totp(secret, world.clock.now()))
        await world.reauthenticate.execute(sid, CLIENT, code=totp(secret, world.clock.now()))
        assert (user.id, "reauthenticated", {"methods": ["totp"]}) in world.db.events


async def test_an_account_with_neither_proves_itself_through_its_provider(world):
    _, sid = await social_only(world)
    with pytest.raises(InvalidInput) as caught:
        await world.reauthenticate.execute(sid, CLIENT)
    assert "provider" in caught.value.message
