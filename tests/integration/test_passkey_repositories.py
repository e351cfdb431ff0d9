"""The passkeys' repositories (passkeys, user handles, ceremony challenges): one contract, on
the fakes and on PostgreSQL; and the purge of expired challenges."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.passkeys import ChallengePurpose, WebAuthnChallenge, new_challenge
from infrastructure.persistence.housekeeping import purge_expired
from tests.factories import passkey_of
from tests.integration.test_second_factor_repositories import in_uow, new_user

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TTL = timedelta(minutes=5)


class TestUserHandles:
    async def test_an_accounts_first_handle_is_kept(self, store):
        user = await new_user(store)
        assert await in_uow(store, lambda uow: uow.passkeys.user_handle(user.id)) is None
        first = b"\x01" * 64
        assert await in_uow(store, lambda uow: uow.passkeys.keep_user_handle(user.id, first)) == first
        assert await in_uow(store, lambda uow: uow.passkeys.keep_user_handle(user.id, b"\x02" * 64)) == first
        assert await in_uow(store, lambda uow: uow.passkeys.user_handle(user.id)) == first
        assert await in_uow(store, lambda uow: uow.passkeys.user_by_handle(first)) == user.id
        assert await in_uow(store, lambda uow: uow.passkeys.user_by_handle(b"\x02" * 64)) is None


class TestPasskeys:
    async def test_a_passkey_comes_back_as_it_went_in_by_account_and_by_credential(self, store):
        user = await new_user(store)
        passkey = passkey_of(user)
        assert await in_uow(store, lambda uow: uow.passkeys.add(passkey))
        assert await in_uow(store, lambda uow: uow.passkeys.for_user(user.id)) == [passkey]
        assert await in_uow(store, lambda uow: uow.passkeys.by_credential_id(b"cred-1")) == passkey
        assert await in_uow(store, lambda uow: uow.passkeys.by_credential_id(b"nope")) is None
        assert await in_uow(store, lambda uow: uow.passkeys.count(user.id)) == 1

    async def test_a_credential_is_registered_once_across_accounts(self, store):
        user, other = await new_user(store), await new_user(store)
        assert await in_uow(store, lambda uow: uow.passkeys.add(passkey_of(user)))
        assert not await in_uow(store, lambda uow: uow.passkeys.add(passkey_of(other)))
        assert await in_uow(store, lambda uow: uow.passkeys.count(other.id)) == 0

    async def test_an_accounts_passkeys_oldest_first_and_its_own_only(self, store):
        user, other = await new_user(store), await new_user(store)
        later = passkey_of(user, b"b", NOW + timedelta(seconds=1))
        earlier = passkey_of(user, b"a", NOW)
        for passkey in (later, earlier, passkey_of(other, b"c")):
            await in_uow(store, lambda uow, passkey=passkey: uow.passkeys.add(passkey))
        assert [p.id for p in await in_uow(store, lambda uow: uow.passkeys.for_user(user.id))] == [earlier.id, later.id]

    async def test_a_use_moves_the_counter_only_from_the_count_it_read(self, store):
        user = await new_user(store)
        passkey = passkey_of(user, sign_count=4)
        await in_uow(store, lambda uow: uow.passkeys.add(passkey))
        used_at = NOW + timedelta(minutes=1)
        assert await in_uow(store, lambda uow: uow.passkeys.record_use(passkey.id, 4, 5, True, used_at))
        assert not await in_uow(store, lambda uow: uow.passkeys.record_use(passkey.id, 4, 6, True, used_at))
        found = await in_uow(store, lambda uow: uow.passkeys.by_credential_id(b"cred-1"))
        assert (found.sign_count, found.backed_up, found.last_used_at) == (5, True, used_at)

    async def test_renaming_and_removing_touch_the_accounts_own_only(self, store):
        user, other = await new_user(store), await new_user(store)
        passkey = passkey_of(user)
        await in_uow(store, lambda uow: uow.passkeys.add(passkey))
        assert await in_uow(store, lambda uow: uow.passkeys.rename(other.id, passkey.id, "Mine")) is None
        assert not await in_uow(store, lambda uow: uow.passkeys.remove(other.id, passkey.id))
        renamed = await in_uow(store, lambda uow: uow.passkeys.rename(user.id, passkey.id, "Work laptop"))
        assert renamed.name == "Work laptop" and renamed.credential_id == b"cred-1"
        assert await in_uow(store, lambda uow: uow.passkeys.remove(user.id, passkey.id))
        assert not await in_uow(store, lambda uow: uow.passkeys.remove(user.id, passkey.id))
        assert await in_uow(store, lambda uow: uow.passkeys.for_user(user.id)) == []

    async def test_nothing_stays_without_a_commit(self, store):
        user = await new_user(store)
        async with store.new_uow() as uow:
            await uow.passkeys.add(passkey_of(user))
            await uow.passkeys.keep_user_handle(user.id, b"\x03" * 64)
        assert await in_uow(store, lambda uow: uow.passkeys.count(user.id)) == 0
        assert await in_uow(store, lambda uow: uow.passkeys.user_handle(user.id)) is None


def challenge_of(binding=b"browser", purpose=ChallengePurpose.LOGIN, user_id=None, now=NOW, value=None):
    return new_challenge(value or uuid.uuid4().bytes * 2, purpose, binding, now, user_id, TTL)


class TestChallenges:
    async def test_a_challenge_is_taken_once_for_its_own_purpose(self, store):
        user = await new_user(store)
        challenge = challenge_of(purpose=ChallengePurpose.REGISTER, user_id=user.id)
        await in_uow(store, lambda uow: uow.webauthn_challenges.add(challenge))
        taken = await in_uow(store, lambda uow: uow.webauthn_challenges.take([b"browser"], ChallengePurpose.LOGIN, NOW))
        assert taken is None
        take = lambda uow: uow.webauthn_challenges.take([b"other", b"browser"], ChallengePurpose.REGISTER, NOW)  # noqa: E731
        assert await in_uow(store, take) == challenge
        assert await in_uow(store, take) is None

    async def test_a_new_challenge_replaces_the_bindings_earlier_one(self, store):
        first, second = challenge_of(), challenge_of(now=NOW + timedelta(seconds=1))
        for challenge in (first, second):
            await in_uow(store, lambda uow, challenge=challenge: uow.webauthn_challenges.add(challenge))
        assert await in_uow(
            store, lambda uow: uow.webauthn_challenges.take([b"browser"], ChallengePurpose.LOGIN, NOW)
        ) == second

    async def test_an_expired_challenge_is_used_up_and_none(self, store):
        challenge = challenge_of()
        await in_uow(store, lambda uow: uow.webauthn_challenges.add(challenge))
        take = lambda now: lambda uow: uow.webauthn_challenges.take([b"browser"], ChallengePurpose.LOGIN, now)  # noqa: E731
        assert await in_uow(store, take(NOW + TTL)) is None
        assert await in_uow(store, take(NOW)) is None

    async def test_a_take_without_a_commit_leaves_it(self, store):
        challenge = challenge_of()
        await in_uow(store, lambda uow: uow.webauthn_challenges.add(challenge))
        async with store.new_uow() as uow:
            assert await uow.webauthn_challenges.take([b"browser"], ChallengePurpose.LOGIN, NOW) == challenge
        assert await in_uow(
            store, lambda uow: uow.webauthn_challenges.take([b"browser"], ChallengePurpose.LOGIN, NOW)
        ) == challenge


@pytest.fixture
def postgres(request):
    return request.getfixturevalue("engine")


async def test_expired_challenges_are_purged_at_once(postgres, db_config, driver_pool):
    from tests.integration.test_postgres_specifics import sql_store

    store = sql_store(db_config, driver_pool)
    for binding, now in [(b"expired", NOW - TTL), (b"live", NOW - TTL + timedelta(seconds=1))]:
        challenge: WebAuthnChallenge = challenge_of(binding, now=now)
        await in_uow(store, lambda uow, challenge=challenge: uow.webauthn_challenges.add(challenge))
    deleted = await purge_expired(postgres, NOW)
    assert deleted["webauthn_challenges"] == 1
    async with postgres.connect() as connection:
        left = set((await connection.execute(text("SELECT binding FROM webauthn_challenges"))).scalars())
    assert left == {b"live"}


async def test_an_accounts_passkeys_go_with_it(postgres, db_config, driver_pool):
    from tests.integration.test_postgres_specifics import sql_store

    store = sql_store(db_config, driver_pool)
    user = await new_user(store)
    await in_uow(store, lambda uow: uow.passkeys.add(passkey_of(user)))
    await in_uow(store, lambda uow: uow.passkeys.keep_user_handle(user.id, b"\x04" * 64))
    await in_uow(store, lambda uow: uow.webauthn_challenges.add(challenge_of(purpose=ChallengePurpose.REGISTER, user_id=user.id)))
    async with postgres.begin() as connection:
        await connection.execute(text("DELETE FROM users WHERE id = :id"), {"id": user.id})
        counts = [
            (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in ("passkeys", "passkey_user_handles", "webauthn_challenges")
        ]
    assert counts == [0, 0, 0]


async def test_of_two_sign_ins_with_one_counter_one_wins(postgres, db_config, driver_pool):
    """The second use waits for the first's row lock, then finds the counter moved."""
    from tests.integration.test_postgres_specifics import sql_store

    store = sql_store(db_config, driver_pool)
    user = await new_user(store)
    passkey = passkey_of(user, sign_count=3)
    await in_uow(store, lambda uow: uow.passkeys.add(passkey))
    async with store.new_uow() as first:
        assert await first.passkeys.record_use(passkey.id, 3, 4, True, NOW)
        second = asyncio.create_task(in_uow(store, lambda uow: uow.passkeys.record_use(passkey.id, 3, 4, True, NOW)))
        await asyncio.sleep(0.2)
        assert not second.done()
        await first.commit()
    assert await second is False
