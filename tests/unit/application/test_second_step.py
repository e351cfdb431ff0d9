"""The second step of a sign-in on fakes: a challenge, answered by a TOTP code or a recovery
code, burned by wrong answers that also count toward the account's lock."""

import asyncio
from datetime import timedelta

import pytest

from application.policy import LoginLimits
from application.ports.messages import IDENTIFIER_LOCKED, RECOVERY_CODE_USED, SECOND_STEP_FAILED
from application.services.login_guard import account_key
from domain.email_links import SECURE_ACCOUNT
from domain.errors import (
    AccountLocked,
    InvalidCode,
    InvalidCredentials,
    InvalidInput,
    MfaChallengeExpired,
    TooManyAttempts,
)
from domain.flows import PendingLink
from domain.identities import ProviderIdentity
from domain.totp import hotp, time_step, totp
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import PASSWORD
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_totp_setup import signed_in, with_totp
from tests.unit.conftest import CLIENT

BROWSER = "pending-link-browser"


async def challenge_for(world, user, method="password", pending_link=None) -> str:
    async with world.new_uow() as uow:
        challenge = await world.second_step.challenge(
            uow, user.id, method, account_key(user, ""), world.clock.now(), pending_link
        )
        await uow.commit()
    return challenge.token


async def challenged(world, **changes):
    """An account with TOTP on whose first factor was just right: (user, secret, recovery
    codes, the challenge's cookie), half a minute after TOTP was confirmed."""
    user, _, secret, codes = await with_totp(world, password_hash=f"fake${PASSWORD}", **changes)
    world.clock.advance(seconds=30)
    return user, secret, codes, await challenge_for(world, user)


def wrong_code(world, secret) -> str:
    return hotp(secret, time_step(world.clock.now()) + 5)


def stored_challenge(world, token):
    return world.db.mfa_challenges[world.tokens.digest(token)]


class TestOpening:
    async def test_a_challenge_lives_five_minutes_stored_as_a_digest_and_says_what_answers_it(self, world):
        user, _, _, _ = await challenged(world)
        async with world.new_uow() as uow:
            challenge = await world.second_step.challenge(uow, user.id, "google", "k", world.clock.now())
        assert challenge.methods == ["totp", "recovery_code"]
        assert challenge.expires_at - world.clock.now() == timedelta(minutes=5)
        assert challenge.token not in repr(challenge)

    async def test_an_account_without_totp_needs_no_second_step(self, world):
        user, sid = await signed_in(world)
        async with world.new_uow() as uow:
            assert await world.second_step.challenge(uow, user.id, "password", "k", world.clock.now()) is None
        await world.set_up_totp.execute(sid)
        async with world.new_uow() as uow:  # a pending setup is not on
            assert await world.second_step.challenge(uow, user.id, "password", "k", world.clock.now()) is None
        assert world.db.mfa_challenges == {}


class TestTotpAnswer:
    async def test_the_right_code_signs_in_with_mfa_recorded_and_uses_the_challenge_up(self, world):
        user, secret, _, token = await challenged(world)
        signed_in = await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert (await world.current_user.execute(signed_in.tokens.sid)).id == user.id
        assert (user.id, "signed_in", {"method": "password", "mfa": True}) in world.db.events
        assert signed_in.device_cookie is not None
        assert stored_challenge(world, token).used_at == world.clock.now()
        with pytest.raises(MfaChallengeExpired):
            await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))

    async def test_the_session_is_fresh_from_the_second_step(self, world):
        _, secret, _, token = await challenged(world)
        signed_in = await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        async with world.new_uow() as uow:
            session_id = await uow.sessions.session_id_by_sid(world.tokens.digests(signed_in.tokens.sid))
            assert (await uow.sessions.by_id(session_id)).signed_in == world.clock.now()

    async def test_the_method_of_the_first_factor_is_kept(self, world):
        user, secret, _, _ = await challenged(world)
        token = await challenge_for(world, user, method="google")
        await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert (user.id, "signed_in", {"method": "google", "mfa": True}) in world.db.events

    async def test_a_code_one_step_either_side_is_right(self, world):
        user, secret, _, token = await challenged(world)
        world.clock.advance(seconds=60)  # past the confirming code's step and the next
        await world.verify_second_step.execute(token, CLIENT, code=hotp(secret, time_step(world.clock.now()) - 1))
        token = await challenge_for(world, user)
        await world.verify_second_step.execute(token, CLIENT, code=hotp(secret, time_step(world.clock.now()) + 1))

    async def test_the_code_that_confirmed_totp_is_a_replay(self, world):
        user, _, secret, _ = await with_totp(world)
        token = await challenge_for(world, user)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert stored_challenge(world, token).challenge.wrong_answers == 1

    async def test_a_code_that_signed_in_once_is_refused_on_another_challenge(self, world):
        user, secret, _, token = await challenged(world)
        code = totp(secret, world.clock.now())
        await world.verify_second_step.execute(token, CLIENT, code=code)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(await challenge_for(world, user), CLIENT, code=code)

    async def test_of_two_answers_with_one_code_on_two_challenges_one_signs_in(self, world):
        user, secret, _, first = await challenged(world)
        second = await challenge_for(world, user)
        code = totp(secret, world.clock.now())
        results = await asyncio.gather(
            world.verify_second_step.execute(first, CLIENT, code=code),
            world.verify_second_step.execute(second, CLIENT, code=code),
            return_exceptions=True,
        )
        assert sorted(type(result).__name__ for result in results) == ["InvalidCode", "SignedIn"]

    async def test_a_wrong_code_is_counted_and_changes_nothing_else(self, world):
        _, secret, _, token = await challenged(world)
        sessions = len(world.db.sessions)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        assert stored_challenge(world, token).challenge.wrong_answers == 1
        assert len(world.db.sessions) == sessions


class TestRecoveryCodeAnswer:
    async def test_a_recovery_code_signs_in_once_in_any_case_and_tells_how_many_remain(self, world):
        user, _, codes, token = await challenged(world, email="ada@example.com")
        await world.verify_second_step.execute(token, CLIENT, recovery_code=codes[3].upper().replace("-", ""))
        assert (user.id, "recovery_code_used", {"remaining": 9}) in world.db.events
        assert (user.id, "signed_in", {"method": "password", "mfa": True}) in world.db.events
        [notice] = sent(world, RECOVERY_CODE_USED)
        assert (notice.recipient, notice.values["remaining"]) == ("ada@example.com", "9")
        link = world.db.email_links[world.tokens.digest(notice.secrets["token"])].email_link
        assert link.purpose == SECURE_ACCOUNT
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(await challenge_for(world, user), CLIENT, recovery_code=codes[3])
        again = await world.verify_second_step.execute(await challenge_for(world, user), CLIENT, recovery_code=codes[4])
        assert (await world.mfa_status.execute(again.tokens.sid)).recovery_codes_left == 8

    async def test_another_accounts_code_is_wrong(self, world):
        _, _, _, token = await challenged(world)
        _, _, others, _ = await challenged(world)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(token, CLIENT, recovery_code=others[0])

    async def test_a_code_of_an_old_set_is_wrong(self, world):
        user, sid, _, old = await with_totp(world)
        await world.regenerate_recovery_codes.execute(sid, CLIENT)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(await challenge_for(world, user), CLIENT, recovery_code=old[0])


class TestBadInput:
    @pytest.mark.parametrize("answer", [
        {}, {"code": "123456", "recovery_code": "abcde-12345"}, {"code": "12345"}, {"recovery_code": "abc"},
    ])
    async def test_counts_nothing(self, world, answer):
        _, _, _, token = await challenged(world)
        with pytest.raises(InvalidInput):
            await world.verify_second_step.execute(token, CLIENT, **answer)
        assert stored_challenge(world, token).challenge.wrong_answers == 0
        assert world.attempts.windows == {}

    @pytest.mark.parametrize("token", [None, "", "unknown"])
    async def test_no_or_an_unknown_challenge_is_expired(self, world, token):
        with pytest.raises(MfaChallengeExpired):
            await world.verify_second_step.execute(token, CLIENT, code="123456")

    async def test_a_challenge_past_five_minutes_is_expired_and_counts_nothing(self, world):
        _, secret, _, token = await challenged(world)
        world.clock.advance(minutes=5)
        with pytest.raises(MfaChallengeExpired):
            await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert world.attempts.windows == {}


class TestBurn:
    async def test_the_fifth_wrong_answer_burns_it_records_mfa_failed_and_tells_the_owner(self, world):
        world.limits = LoginLimits(failures=10)
        user, secret, _, token = await challenged(world, email="ada@example.com")
        for _ in range(4):
            with pytest.raises(InvalidCode):
                await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        assert sent(world, SECOND_STEP_FAILED) == []
        with pytest.raises(TooManyAttempts):
            await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        assert (user.id, "mfa_failed", {"method": "password"}) in world.db.events
        [notice] = sent(world, SECOND_STEP_FAILED)
        assert notice.recipient == "ada@example.com"
        assert (notice.values["ip"], notice.values["browser"], notice.values["method"]) == (CLIENT.ip, "pytest", "password")
        link = world.db.email_links[world.tokens.digest(notice.secrets["token"])].email_link
        assert (link.purpose, link.user_id) == (SECURE_ACCOUNT, user.id)
        with pytest.raises(MfaChallengeExpired):
            await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))

    async def test_wrong_answers_count_toward_the_accounts_lock_like_wrong_passwords(self, world):
        user, secret, _, token = await challenged(world, email="ada@example.com")
        for _ in range(world.limits.failures):
            with pytest.raises(InvalidCode):
                await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        assert len(sent(world, IDENTIFIER_LOCKED)) == 1
        with pytest.raises(AccountLocked):
            await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        with pytest.raises(AccountLocked):
            await world.login.execute("ada@example.com", PASSWORD, CLIENT)

    async def test_a_right_answer_clears_the_count(self, world):
        user, secret, _, token = await challenged(world)
        for _ in range(world.limits.failures - 1):
            with pytest.raises(InvalidCode):
                await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert account_key(user, "") not in world.attempts.windows
        with pytest.raises(InvalidCredentials):  # the next failure is a first one again
            await world.login.execute(user.email, "wrong-password-9", CLIENT)


class TestPendingLink:
    async def test_the_pending_link_attaches_only_once_the_second_step_is_passed(self, world):
        user, secret, _, _ = await challenged(world)
        identity = ProviderIdentity("google", "g-1", user.email, email_verified=True)
        now = world.clock.now()
        world.db.pending_links[world.tokens.digest(BROWSER)] = PendingLink(
            world.tokens.digest(BROWSER), user.id, identity, now, now + timedelta(minutes=10))
        token = await challenge_for(world, user, pending_link=BROWSER)
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
        assert world.db.linked_accounts == {}
        signed_in = await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert signed_in.linked_provider == "google" and signed_in.user.providers == ("google",)
        assert (user.id, "provider_linked", {"provider": "google"}) in world.db.events
        assert world.db.pending_links == {}

    async def test_another_accounts_pending_link_is_dropped(self, world):
        user, secret, _, _ = await challenged(world)
        other = UserFactory.build()
        now = world.clock.now()
        world.db.pending_links[world.tokens.digest(BROWSER)] = PendingLink(
            world.tokens.digest(BROWSER), other.id, ProviderIdentity("google", "g-2"), now, now + timedelta(minutes=10))
        token = await challenge_for(world, user, pending_link=BROWSER)
        signed_in = await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
        assert signed_in.linked_provider is None and world.db.linked_accounts == {} and world.db.pending_links == {}
