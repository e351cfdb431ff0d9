"""Passkeys answering the second step of a sign-in and re-authentication, on fakes: options
bound to their second-step challenge or session, answers checked as at the passkey sign-in
and counted as any other answer."""

import uuid

import pytest

from application.policy import LoginLimits
from application.ports.messages import SECOND_STEP_FAILED
from domain.errors import (
    AccountLocked,
    InvalidCode,
    InvalidInput,
    MfaChallengeExpired,
    MfaRequired,
    NotAuthenticated,
    NotFound,
    ReauthRequired,
    TooManyAttempts,
)
from domain.identities import LinkedAccount
from domain.passkeys import ChallengePurpose
from tests.unit.application.test_email_verification import PASSWORD
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_passkeys import assertion, registration
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.application.test_totp_setup import go_stale, signed_in, with_totp
from tests.unit.conftest import CLIENT


async def add_passkey(world, sid, credential_id: bytes, **extra) -> None:
    options = await world.start_passkey_registration.execute(sid)
    await world.register_passkey.execute(sid, registration(options, credential_id, **extra), None, CLIENT)


async def with_totp_and_a_passkey(world, email="ada@example.com", credential_id=b"cred-1", **extra):
    """An account (a password, TOTP on, one passkey), half a minute later: (user, sid)."""
    user, sid, _, _ = await with_totp(world, email=email, password_hash=f"fake${PASSWORD}")
    await add_passkey(world, sid, credential_id, **extra)
    world.clock.advance(seconds=30)
    return user, sid


async def challenged(world, email="ada@example.com") -> MfaRequired:
    with pytest.raises(MfaRequired) as caught:
        await world.login.execute(email, PASSWORD, CLIENT)
    return caught.value


async def answer(world, token: str, credential_id: bytes, **extra):
    options = await world.start_second_step_passkey.execute(token)
    return await world.verify_second_step.execute(
        token, CLIENT, credential=assertion(options, credential_id, None, **extra))


class TestSecondStep:
    async def test_the_methods_offer_a_passkey_and_its_options_allow_the_accounts(self, world):
        user, sid = await with_totp_and_a_passkey(world)
        await add_passkey(world, sid, b"cred-2")
        required = await challenged(world)
        assert required.methods == ["totp", "recovery_code", "passkey"]
        options = await world.start_second_step_passkey.execute(required.challenge_token)
        assert [c["id"] for c in options["allowCredentials"]] == [b"cred-1".hex(), b"cred-2".hex()]
        assert options["userVerification"] == "required"
        digest = world.tokens.digest(required.challenge_token)
        stored = world.db.webauthn_challenges[(digest, ChallengePurpose.MFA)]
        assert stored.user_id == user.id and stored.expires_at <= required.expires_at

    async def test_a_provider_sign_in_offers_the_passkey_and_completes_with_it(self, world):
        user, _ = await with_totp_and_a_passkey(world, email="alice@example.com")
        account = LinkedAccount(uuid.uuid4(), user.id, "google", ALICE.subject, world.clock.now())
        world.db.linked_accounts[account.id] = account
        with pytest.raises(MfaRequired) as caught:
            await sign_in(world)
        assert caught.value.methods == ["totp", "recovery_code", "passkey"]
        await answer(world, caught.value.challenge_token, b"cred-1")
        assert (user.id, "signed_in", {"method": "google", "mfa": True}) in world.db.events

    async def test_passkeys_without_totp_open_no_second_step(self, world):
        _, sid = await signed_in(world, email="ada@example.com", password_hash=f"fake${PASSWORD}")
        await add_passkey(world, sid, b"cred-1")
        assert (await world.login.execute("ada@example.com", PASSWORD, CLIENT)).tokens.sid

    async def test_a_right_assertion_signs_in_as_the_first_factor_with_mfa(self, world):
        user, _ = await with_totp_and_a_passkey(world)
        required = await challenged(world)
        signed_in_ = await answer(world, required.challenge_token, b"cred-1")
        assert (await world.current_user.execute(signed_in_.tokens.sid)).id == user.id
        assert (user.id, "signed_in", {"method": "password", "mfa": True}) in world.db.events
        (passkey,) = world.db.passkeys.values()
        assert passkey.last_used_at == world.clock.now()
        with pytest.raises(MfaChallengeExpired):  # used up
            await world.start_second_step_passkey.execute(required.challenge_token)

    async def test_options_need_a_live_challenge_and_a_passkey(self, world):
        for token in (None, "", "unknown"):
            with pytest.raises(MfaChallengeExpired):
                await world.start_second_step_passkey.execute(token)
        await with_totp(world, email="bob@example.com", password_hash=f"fake${PASSWORD}")
        with pytest.raises(NotFound):  # TOTP, no passkey
            await world.start_second_step_passkey.execute((await challenged(world, "bob@example.com")).challenge_token)
        await with_totp_and_a_passkey(world)
        required = await challenged(world)
        world.clock.advance(minutes=5)
        with pytest.raises(MfaChallengeExpired):
            await world.start_second_step_passkey.execute(required.challenge_token)

    async def test_refused_foreign_and_replayed_answers_are_wrong_until_the_burn(self, world):
        world.limits = LoginLimits(failures=10)  # the burn before the lock
        user, _ = await with_totp_and_a_passkey(world)
        await with_totp_and_a_passkey(world, email="eve@example.com", credential_id=b"eve-1")
        token = (await challenged(world)).challenge_token
        with pytest.raises(InvalidCode):
            await answer(world, token, b"cred-1", valid=False)  # a bad signature, origin, RP id...
        with pytest.raises(InvalidCode):
            await answer(world, token, b"eve-1")  # another account's passkey
        with pytest.raises(InvalidCode):
            await answer(world, token, b"unknown")
        options = await world.start_second_step_passkey.execute(token)
        with pytest.raises(InvalidCode):  # an object that is no assertion
            await world.verify_second_step.execute(token, CLIENT, credential={"nope": True})
        with pytest.raises(TooManyAttempts):  # options used up by the answer before: a replay
            await world.verify_second_step.execute(token, CLIENT, credential=assertion(options, b"cred-1", None))
        assert world.db.mfa_challenges[world.tokens.digest(token)].challenge.wrong_answers == 5
        assert ("mfa_failed" in [kind for who, kind, _ in world.db.events if who == user.id])
        assert sent(world, SECOND_STEP_FAILED)
        (eves,) = [p for p in world.db.passkeys.values() if p.credential_id == b"eve-1"]
        assert eves.last_used_at is None

    async def test_a_counter_that_went_back_is_wrong_and_on_record(self, world):
        user, _ = await with_totp_and_a_passkey(world, signCount=5)
        token = (await challenged(world)).challenge_token
        with pytest.raises(InvalidCode):
            await answer(world, token, b"cred-1", signCount=5)
        assert (user.id, "mfa_failed", {"method": "passkey", "reason": "sign_count"}) in world.db.events
        assert (await answer(world, token, b"cred-1", signCount=6)).tokens.sid

    async def test_one_answer_of_three_and_nothing_counted_otherwise(self, world):
        await with_totp_and_a_passkey(world)
        token = (await challenged(world)).challenge_token
        options = await world.start_second_step_passkey.execute(token)
        with pytest.raises(InvalidInput):
            await world.verify_second_step.execute(
                token, CLIENT, code="123456", credential=assertion(options, b"cred-1", None))
        assert world.db.mfa_challenges[world.tokens.digest(token)].challenge.wrong_answers == 0
        assert await world.verify_second_step.execute(token, CLIENT, credential=assertion(options, b"cred-1", None))


async def reauth_with(world, sid, credential_id: bytes, **extra):
    options = await world.start_passkey_reauth.execute(sid)
    return await world.reauthenticate_with_passkey.execute(
        sid, CLIENT, assertion(options, credential_id, None, **extra))


class TestReauthentication:
    async def test_a_passkey_makes_a_stale_session_fresh(self, world):
        user, sid = await signed_in(world, password_hash=f"fake${PASSWORD}")
        await add_passkey(world, sid, b"cred-1")
        go_stale(world)
        with pytest.raises(ReauthRequired) as stale:
            await world.start_passkey_registration.execute(sid)
        assert stale.value.methods == ["password", "passkey"]
        options = await world.start_passkey_reauth.execute(sid)
        assert [c["id"] for c in options["allowCredentials"]] == [b"cred-1".hex()]
        fresh_until = await world.reauthenticate_with_passkey.execute(
            sid, CLIENT, assertion(options, b"cred-1", None))
        assert fresh_until == world.clock.now() + world.freshness_policy.max_age
        assert world.db.events[-1] == (user.id, "reauthenticated", {"methods": ["passkey"]})
        assert await world.start_passkey_registration.execute(sid)

    async def test_refused_foreign_and_replayed_answers(self, world):
        world.limits = LoginLimits(failures=10)
        user, sid = await signed_in(world, password_hash=f"fake${PASSWORD}")
        await add_passkey(world, sid, b"cred-1")
        _, eve = await signed_in(world, email="eve@example.com")
        await add_passkey(world, eve, b"eve-1")
        go_stale(world)
        for credential_id, extra in ((b"cred-1", {"valid": False}), (b"eve-1", {}), (b"unknown", {})):
            with pytest.raises(InvalidCode):
                await reauth_with(world, sid, credential_id, **extra)
        options = await world.start_passkey_reauth.execute(sid)
        await world.reauthenticate_with_passkey.execute(sid, CLIENT, assertion(options, b"cred-1", None))
        with pytest.raises(InvalidCode):  # its challenge is used up
            await world.reauthenticate_with_passkey.execute(sid, CLIENT, assertion(options, b"cred-1", None))
        with pytest.raises(InvalidCode):
            await reauth_with(world, sid, b"cred-1", signCount=0, valid=True, challenge="other")
        with pytest.raises(InvalidCode):  # no options asked for this session
            await world.reauthenticate_with_passkey.execute(sid, CLIENT, assertion(options, b"cred-1", None))

    async def test_a_counter_that_went_back_is_refused_and_on_record(self, world):
        user, sid = await signed_in(world, password_hash=f"fake${PASSWORD}")
        await add_passkey(world, sid, b"cred-1", signCount=3)
        with pytest.raises(InvalidCode):
            await reauth_with(world, sid, b"cred-1", signCount=2)
        assert (user.id, "mfa_failed", {"method": "passkey", "reason": "sign_count"}) in world.db.events

    async def test_wrong_answers_count_toward_the_account_lock(self, world):
        _, sid = await signed_in(world, password_hash=f"fake${PASSWORD}", email="ada@example.com")
        await add_passkey(world, sid, b"cred-1")
        for _ in range(world.limits.failures):
            with pytest.raises(InvalidCode):
                await reauth_with(world, sid, b"cred-1", valid=False)
        with pytest.raises(AccountLocked):
            await reauth_with(world, sid, b"cred-1")
        with pytest.raises(AccountLocked):
            await world.reauthenticate.execute(sid, CLIENT, password=PASSWORD)

    async def test_a_session_and_a_passkey_are_needed(self, world):
        with pytest.raises(NotAuthenticated):
            await world.start_passkey_reauth.execute(None)
        with pytest.raises(NotAuthenticated):
            await world.reauthenticate_with_passkey.execute("unknown", CLIENT, {"id": uuid.uuid4().hex})
        _, sid = await signed_in(world)
        with pytest.raises(NotFound):
            await world.start_passkey_reauth.execute(sid)
