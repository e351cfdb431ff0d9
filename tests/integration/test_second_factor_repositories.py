"""The second factor's repositories (TOTP secrets, recovery codes, challenges) and the
session's sign-in time: one contract, on the fakes and on PostgreSQL."""

import asyncio
import base64
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.second_factor import MfaChallenge, TotpState
from infrastructure.persistence.housekeeping import purge_expired
from tests.factories import UserFactory
from tests.integration.test_session_repository import digest, new_session

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SECRET = bytes(range(20))


async def new_user(store):
    user = UserFactory.build()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def in_uow(store, act):
    async with store.new_uow() as uow:
        result = await act(uow)
        await uow.commit()
    return result


async def enabled(store, secret=SECRET, step=100):
    user = await new_user(store)
    await in_uow(store, lambda uow: uow.totp.set_pending(user.id, secret, NOW))
    await in_uow(store, lambda uow: uow.totp.enable(user.id, step, NOW))
    return user


class TestTotpSecrets:
    async def test_a_pending_secret_comes_back_and_a_new_one_replaces_it(self, store):
        user = await new_user(store)
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) is None
        assert await in_uow(store, lambda uow: uow.totp.set_pending(user.id, SECRET, NOW))
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) == TotpState(SECRET)
        assert await in_uow(store, lambda uow: uow.totp.set_pending(user.id, b"\x01" * 20, NOW))
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) == TotpState(b"\x01" * 20)

    async def test_enabling_turns_the_pending_secret_on_once(self, store):
        user = await new_user(store)
        assert not await in_uow(store, lambda uow: uow.totp.enable(user.id, 7, NOW))  # nothing pending
        await in_uow(store, lambda uow: uow.totp.set_pending(user.id, SECRET, NOW))
        assert await in_uow(store, lambda uow: uow.totp.enable(user.id, 7, NOW))
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) == TotpState(SECRET, NOW, 7)
        assert not await in_uow(store, lambda uow: uow.totp.enable(user.id, 8, NOW))

    async def test_an_enabled_secret_is_never_replaced_by_a_setup(self, store):
        user = await enabled(store)
        assert not await in_uow(store, lambda uow: uow.totp.set_pending(user.id, b"\x02" * 20, NOW))
        assert (await in_uow(store, lambda uow: uow.totp.get(user.id))).secret == SECRET

    async def test_only_a_later_step_is_accepted(self, store):
        user = await enabled(store, step=100)
        assert not await in_uow(store, lambda uow: uow.totp.accept_step(user.id, 99))
        assert not await in_uow(store, lambda uow: uow.totp.accept_step(user.id, 100))
        assert await in_uow(store, lambda uow: uow.totp.accept_step(user.id, 101))
        assert (await in_uow(store, lambda uow: uow.totp.get(user.id))).last_step == 101

    async def test_a_pending_secret_accepts_no_step(self, store):
        user = await new_user(store)
        await in_uow(store, lambda uow: uow.totp.set_pending(user.id, SECRET, NOW))
        assert not await in_uow(store, lambda uow: uow.totp.accept_step(user.id, 5))

    async def test_of_concurrent_acceptances_of_one_step_one_wins(self, store):
        user = await enabled(store)
        results = await asyncio.gather(*(in_uow(store, lambda uow: uow.totp.accept_step(user.id, 101))
                                         for _ in range(5)))
        assert sorted(results) == [False] * 4 + [True]

    async def test_removed(self, store):
        user = await enabled(store)
        assert await in_uow(store, lambda uow: uow.totp.remove(user.id))
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) is None
        assert not await in_uow(store, lambda uow: uow.totp.remove(user.id))

    async def test_an_uncommitted_setup_leaves_nothing(self, store):
        user = await new_user(store)
        async with store.new_uow() as uow:
            await uow.totp.set_pending(user.id, SECRET, NOW)
        assert await in_uow(store, lambda uow: uow.totp.get(user.id)) is None


class TestRecoveryCodes:
    async def test_each_code_is_used_once_and_counted(self, store):
        user = await new_user(store)
        codes = [digest(f"code-{n}") for n in range(10)]
        await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, codes, NOW))
        assert await in_uow(store, lambda uow: uow.recovery_codes.left(user.id)) == 10
        assert await in_uow(store, lambda uow: uow.recovery_codes.use(user.id, [digest("x"), codes[3]], NOW))
        assert not await in_uow(store, lambda uow: uow.recovery_codes.use(user.id, [codes[3]], NOW))
        assert await in_uow(store, lambda uow: uow.recovery_codes.left(user.id)) == 9

    async def test_a_new_set_ends_the_old_one(self, store):
        user = await new_user(store)
        await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, [digest("old")], NOW))
        await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, [digest("new")], NOW))
        assert not await in_uow(store, lambda uow: uow.recovery_codes.use(user.id, [digest("old")], NOW))
        assert await in_uow(store, lambda uow: uow.recovery_codes.use(user.id, [digest("new")], NOW))

    async def test_the_same_code_of_two_accounts_is_each_ones_own(self, store):
        ada, bob = await new_user(store), await new_user(store)
        for user in (ada, bob):
            await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, [digest("same")], NOW))
        assert await in_uow(store, lambda uow: uow.recovery_codes.use(ada.id, [digest("same")], NOW))
        assert await in_uow(store, lambda uow: uow.recovery_codes.use(bob.id, [digest("same")], NOW))
        assert not await in_uow(store, lambda uow: uow.recovery_codes.use(bob.id, [digest("other")], NOW))

    async def test_of_concurrent_uses_of_one_code_one_wins(self, store):
        user = await new_user(store)
        await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, [digest("one")], NOW))
        results = await asyncio.gather(*(in_uow(store, lambda uow: uow.recovery_codes.use(user.id, [digest("one")], NOW))
                                         for _ in range(5)))
        assert sorted(results) == [False] * 4 + [True]

    async def test_all_removed(self, store):
        user = await new_user(store)
        await in_uow(store, lambda uow: uow.recovery_codes.replace(user.id, [digest("a"), digest("b")], NOW))
        await in_uow(store, lambda uow: uow.recovery_codes.remove_all(user.id))
        assert await in_uow(store, lambda uow: uow.recovery_codes.left(user.id)) == 0


def challenge_of(user, label="c", **changes) -> MfaChallenge:
    values = dict(digest=digest(label), user_id=user.id, method="google", lock_key="login-account:abc",
                  created_at=NOW, expires_at=NOW + timedelta(minutes=5), pending_link_digest=digest("pending"))
    return MfaChallenge(**{**values, **changes})


class TestChallenges:
    async def test_a_challenge_comes_back_whole_counts_wrong_answers_and_is_used_up(self, store):
        user = await new_user(store)
        challenge = challenge_of(user)
        await in_uow(store, lambda uow: uow.mfa_challenges.add(challenge))
        assert await in_uow(store, lambda uow: uow.mfa_challenges.claim([digest("x"), challenge.digest], NOW)) == challenge
        await in_uow(store, lambda uow: uow.mfa_challenges.record_wrong(challenge.digest))
        await in_uow(store, lambda uow: uow.mfa_challenges.record_wrong(challenge.digest))
        claimed = await in_uow(store, lambda uow: uow.mfa_challenges.claim([challenge.digest], NOW))
        assert claimed.wrong_answers == 2
        await in_uow(store, lambda uow: uow.mfa_challenges.finish(challenge.digest, NOW))
        assert await in_uow(store, lambda uow: uow.mfa_challenges.claim([challenge.digest], NOW)) is None

    async def test_an_unknown_challenge_is_none(self, store):
        assert await in_uow(store, lambda uow: uow.mfa_challenges.claim([digest("nope")], NOW)) is None

    async def test_an_expired_challenge_is_still_claimed_for_the_verdict(self, store):
        user = await new_user(store)
        challenge = challenge_of(user, pending_link_digest=None)
        await in_uow(store, lambda uow: uow.mfa_challenges.add(challenge))
        late = NOW + timedelta(hours=1)
        assert await in_uow(store, lambda uow: uow.mfa_challenges.claim([challenge.digest], late)) == challenge

    async def test_answers_to_one_challenge_take_turns(self, store):
        """A second claim waits for the first unit of work: it sees what that one left."""
        user = await new_user(store)
        challenge = challenge_of(user)
        await in_uow(store, lambda uow: uow.mfa_challenges.add(challenge))
        async with store.new_uow() as first:
            assert await first.mfa_challenges.claim([challenge.digest], NOW) is not None

            async def second_claim():
                return await in_uow(store, lambda uow: uow.mfa_challenges.claim([challenge.digest], NOW))

            second = asyncio.create_task(second_claim())
            await asyncio.sleep(0.2)
            assert not second.done()
            await first.mfa_challenges.finish(challenge.digest, NOW)
            await first.commit()
        assert await second is None


class TestSessionSignInTime:
    async def test_a_session_keeps_its_sign_in_time_and_a_re_authentication_moves_it(self, store):
        session = await new_session(store, signed_in_at=NOW - timedelta(minutes=1))
        assert (await in_uow(store, lambda uow: uow.sessions.by_id(session.id))).signed_in == NOW - timedelta(minutes=1)
        later = NOW + timedelta(minutes=20)
        await in_uow(store, lambda uow: uow.sessions.mark_signed_in(session.id, later))
        assert (await in_uow(store, lambda uow: uow.sessions.by_id(session.id))).signed_in_at == later

    async def test_a_session_without_one_signed_in_at_its_creation(self, store):
        session = await new_session(store)
        found = await in_uow(store, lambda uow: uow.sessions.by_id(session.id))
        assert (found.signed_in_at, found.signed_in) == (None, NOW)
        assert await in_uow(store, lambda uow: uow.sessions.by_id(uuid.uuid4())) is None

    async def test_a_refresh_keeps_the_sign_in_time(self, store):
        session = await new_session(store, signed_in_at=NOW)
        later = NOW + timedelta(hours=2)
        rotated = await store.rotation.rotate(
            [digest(f"r0-{session.id}")], digest(f"r1-{session.id}"), digest(f"s1-{session.id}"), later,
            timedelta(minutes=15),
        )
        assert rotated is not None
        found = await in_uow(store, lambda uow: uow.sessions.by_id(session.id))
        assert (found.signed_in, found.last_seen_at) == (NOW, later)


@pytest.fixture
def postgres(request):
    return request.getfixturevalue("engine")


async def test_the_totp_secret_is_not_in_the_database_in_clear(postgres, db_config, driver_pool):
    from tests.integration.test_postgres_specifics import sql_store

    user = await enabled(sql_store(db_config, driver_pool))
    async with postgres.connect() as connection:
        stored = (await connection.execute(text("SELECT secret FROM totp_secrets WHERE user_id = :id"),
                                           {"id": user.id})).scalar_one()
    assert base64.b32encode(SECRET).decode() not in stored and SECRET.hex() not in stored
    assert stored.startswith("v1:")


async def test_expired_challenges_are_purged_at_once(postgres, db_config, driver_pool):
    from tests.integration.test_postgres_specifics import sql_store

    store = sql_store(db_config, driver_pool)
    user = await new_user(store)
    for label, expires_at in [("expired", NOW), ("live", NOW + timedelta(seconds=1))]:
        challenge = challenge_of(user, label, expires_at=expires_at, pending_link_digest=None)
        await in_uow(store, lambda uow: uow.mfa_challenges.add(challenge))
    deleted = await purge_expired(postgres, NOW)
    assert deleted["mfa_challenges"] == 1
    async with postgres.connect() as connection:
        left = set((await connection.execute(text("SELECT token_hash FROM mfa_challenges"))).scalars())
    assert left == {hashlib.sha256(b"live").digest()}
