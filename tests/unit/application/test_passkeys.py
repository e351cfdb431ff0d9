"""Passkeys on fakes: registration (fresh, excluded credentials, a single-use challenge bound
to the session), the list, renaming, removal and its last-sign-in-method guard, and the
discoverable sign-in bound to a browser cookie, with the counter rule. The fake verifier
checks the challenge an answer carries, as py_webauthn checks the real one."""

import uuid

import pytest

from application.ports.messages import SECOND_FACTOR_CHANGED
from domain.errors import (
    InvalidInput,
    InvalidPasskey,
    LastLoginMethod,
    NotAuthenticated,
    NotFound,
    PasskeyExists,
    RateLimited,
    ReauthRequired,
)
from domain.identities import LinkedAccount
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_totp_setup import go_stale, signed_in
from tests.unit.conftest import CLIENT

GOOGLE_PM = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"


def registration(options, credential_id: bytes, **extra) -> dict:
    """What the fake authenticator answers to creation options."""
    return {"id": credential_id.hex(), "challenge": options["challenge"], **extra}


def assertion(options, credential_id: bytes, handle: bytes | None, **extra) -> dict:
    return {"id": credential_id.hex(), "challenge": options["challenge"],
            "userHandle": None if handle is None else handle.hex(), **extra}


async def with_passkey(world, credential_id=b"cred-1", **changes):
    """A signed-in account with one passkey: (user, sid, passkey)."""
    user, sid = await signed_in(world, **changes)
    options = await world.start_passkey_registration.execute(sid)
    passkey = await world.register_passkey.execute(sid, registration(options, credential_id), None, CLIENT)
    return user, sid, passkey


async def sign_in_with(world, credential_id: bytes, handle: bytes | None, **extra):
    start = await world.start_passkey_login.execute(CLIENT)
    answer = assertion(start.options, credential_id, handle, **extra)
    return await world.login_with_passkey.execute(start.cookie_token, answer, CLIENT)


class TestRegistration:
    async def test_options_carry_the_accounts_random_handle_never_its_id(self, world):
        user, sid = await signed_in(world, email="ada@example.com")
        first = await world.start_passkey_registration.execute(sid)
        second = await world.start_passkey_registration.execute(sid)
        handle = bytes.fromhex(first["user"]["id"])
        assert len(handle) == 64 and handle != user.id.bytes
        assert second["user"]["id"] == first["user"]["id"]  # one handle per account, kept
        assert first["user"]["name"] == "ada@example.com" and first["rp"] == {"id": "localhost", "name": "Sésame"}
        assert first["challenge"] != second["challenge"]

    async def test_a_session_and_a_fresh_one_are_needed(self, world):
        with pytest.raises(NotAuthenticated):
            await world.start_passkey_registration.execute(None)
        _, sid = await signed_in(world)
        go_stale(world)
        with pytest.raises(ReauthRequired):
            await world.start_passkey_registration.execute(sid)

    async def test_registers_named_for_its_model_records_and_tells_the_owner(self, world):
        user, sid = await signed_in(world)
        options = await world.start_passkey_registration.execute(sid)
        passkey = await world.register_passkey.execute(
            sid, registration(options, b"cred-1", aaguid=GOOGLE_PM), None, CLIENT
        )
        assert passkey.name == "Google Password Manager" and passkey.user_id == user.id
        assert world.db.passkeys[passkey.id].credential_id == b"cred-1"
        assert world.db.events[-1] == (user.id, "passkey_added", {"name": "Google Password Manager"})
        [notice] = sent(world, SECOND_FACTOR_CHANGED)
        assert notice.values["change"] == "passkey_added"

    async def test_an_unknown_model_is_a_passkey_and_a_given_name_wins(self, world):
        _, sid = await signed_in(world)
        options = await world.start_passkey_registration.execute(sid)
        assert (await world.register_passkey.execute(sid, registration(options, b"a"), None, CLIENT)).name == "Passkey"
        options = await world.start_passkey_registration.execute(sid)
        named = await world.register_passkey.execute(sid, registration(options, b"b"), " Work  key ", CLIENT)
        assert named.name == "Work key"

    async def test_a_bad_name_is_refused_before_the_challenge_is_spent(self, world):
        _, sid = await signed_in(world)
        options = await world.start_passkey_registration.execute(sid)
        with pytest.raises(InvalidInput):
            await world.register_passkey.execute(sid, registration(options, b"a"), "  ", CLIENT)
        assert await world.register_passkey.execute(sid, registration(options, b"a"), None, CLIENT)

    async def test_the_challenge_is_single_use_even_after_a_refusal(self, world):
        _, sid = await signed_in(world)
        options = await world.start_passkey_registration.execute(sid)
        with pytest.raises(InvalidPasskey):
            await world.register_passkey.execute(sid, registration(options, b"a", valid=False), None, CLIENT)
        with pytest.raises(InvalidPasskey):  # right this time, but its challenge is gone
            await world.register_passkey.execute(sid, registration(options, b"a"), None, CLIENT)
        assert world.db.passkeys == {} and world.db.outbox == []

    async def test_the_challenge_is_this_sessions_and_expires(self, world):
        _, sid = await signed_in(world)
        _, other_sid = await signed_in(world)
        options = await world.start_passkey_registration.execute(sid)
        with pytest.raises(InvalidPasskey):
            await world.register_passkey.execute(other_sid, registration(options, b"a"), None, CLIENT)
        world.clock.advance(seconds=world.passkey_policy.challenge_ttl.total_seconds())
        with pytest.raises(InvalidPasskey):
            await world.register_passkey.execute(sid, registration(options, b"a"), None, CLIENT)

    async def test_a_login_challenge_cannot_register(self, world):
        _, sid = await signed_in(world)
        start = await world.start_passkey_login.execute(CLIENT)
        with pytest.raises(InvalidPasskey):
            await world.register_passkey.execute(sid, registration(start.options, b"a"), None, CLIENT)

    async def test_a_credential_registered_already_is_a_conflict_and_excluded(self, world):
        _, sid, _ = await with_passkey(world, b"cred-1")
        options = await world.start_passkey_registration.execute(sid)
        assert options["excludeCredentials"] == [{"id": b"cred-1".hex(), "type": "public-key"}]
        with pytest.raises(PasskeyExists):
            await world.register_passkey.execute(sid, registration(options, b"cred-1"), None, CLIENT)
        assert len(world.db.passkeys) == 1


class TestListRenameRemove:
    async def test_lists_the_accounts_own_oldest_first(self, world):
        _, sid, first = await with_passkey(world, b"a")
        world.clock.advance(seconds=1)
        options = await world.start_passkey_registration.execute(sid)
        second = await world.register_passkey.execute(sid, registration(options, b"b"), None, CLIENT)
        await with_passkey(world, b"someone-else")
        assert [p.id for p in await world.list_passkeys.execute(sid)] == [first.id, second.id]

    async def test_renames_its_own_only(self, world):
        _, sid, passkey = await with_passkey(world)
        _, other_sid, others = await with_passkey(world, b"other")
        assert (await world.rename_passkey.execute(sid, passkey.id, " Phone ")).name == "Phone"
        with pytest.raises(NotFound):
            await world.rename_passkey.execute(sid, others.id, "mine")
        with pytest.raises(InvalidInput):
            await world.rename_passkey.execute(sid, passkey.id, "x" * 65)
        assert world.db.passkeys[others.id].name == "Passkey"

    async def test_removes_when_fresh_records_and_tells_the_owner(self, world):
        user, sid, passkey = await with_passkey(world)
        world.db.outbox.clear()
        await world.remove_passkey.execute(sid, passkey.id, CLIENT)
        assert world.db.passkeys == {}
        assert world.db.events[-1] == (user.id, "passkey_removed", {"name": "Passkey"})
        assert [m.values["change"] for m in sent(world, SECOND_FACTOR_CHANGED)] == ["passkey_removed"]

    async def test_removal_needs_a_fresh_session_and_the_accounts_own_passkey(self, world):
        _, sid, passkey = await with_passkey(world)
        _, other_sid, others = await with_passkey(world, b"other")
        with pytest.raises(NotFound):
            await world.remove_passkey.execute(sid, others.id, CLIENT)
        with pytest.raises(NotFound):
            await world.remove_passkey.execute(sid, uuid.uuid4(), CLIENT)
        go_stale(world)
        with pytest.raises(ReauthRequired):
            await world.remove_passkey.execute(sid, passkey.id, CLIENT)
        assert len(world.db.passkeys) == 2

    async def test_the_last_way_to_sign_in_stays(self, world):
        user, sid, passkey = await with_passkey(world, password_hash=None)
        with pytest.raises(LastLoginMethod):
            await world.remove_passkey.execute(sid, passkey.id, CLIENT)
        async with world.new_uow() as uow:  # a provider is another way in
            await uow.linked_accounts.add(
                LinkedAccount(id=uuid.uuid4(), user_id=user.id, provider="google", subject="sub-1", linked_at=world.clock.now())
            )
            await uow.commit()
        await world.remove_passkey.execute(sid, passkey.id, CLIENT)
        assert world.db.passkeys == {}


class TestLogin:
    async def test_a_passkey_signs_in_without_a_second_step(self, world):
        user, _, passkey = await with_passkey(world)
        handle = world.db.user_handles[user.id]
        start = await world.start_passkey_login.execute(CLIENT)
        assert start.options["allowCredentials"] == [] and start.options["userVerification"] == "required"
        assert start.expires_at == world.clock.now() + world.passkey_policy.challenge_ttl
        world.clock.advance(seconds=30)
        signed = await world.login_with_passkey.execute(
            start.cookie_token, assertion(start.options, b"cred-1", handle, signCount=0), CLIENT
        )
        assert signed.user.id == user.id and signed.tokens.sid and signed.device_cookie
        assert world.db.events[-1] == (user.id, "signed_in", {"method": "passkey"})
        assert world.db.passkeys[passkey.id].last_used_at == world.clock.now()
        assert ("passkey", "success") in world.telemetry.logins

    async def test_the_challenge_is_bound_to_the_browser_and_single_use(self, world):
        user, _, _ = await with_passkey(world)
        handle = world.db.user_handles[user.id]
        start = await world.start_passkey_login.execute(CLIENT)
        answer = assertion(start.options, b"cred-1", handle)
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute(None, answer, CLIENT)
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute("another-browser", answer, CLIENT)
        await world.login_with_passkey.execute(start.cookie_token, answer, CLIENT)
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute(start.cookie_token, answer, CLIENT)

    async def test_a_refused_answer_spends_the_challenge(self, world):
        user, _, _ = await with_passkey(world)
        handle = world.db.user_handles[user.id]
        start = await world.start_passkey_login.execute(CLIENT)
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute(start.cookie_token, assertion(start.options, b"cred-1", handle, valid=False), CLIENT)
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute(start.cookie_token, assertion(start.options, b"cred-1", handle), CLIENT)

    async def test_an_expired_challenge_is_refused(self, world):
        user, _, _ = await with_passkey(world)
        start = await world.start_passkey_login.execute(CLIENT)
        world.clock.advance(seconds=world.passkey_policy.challenge_ttl.total_seconds())
        with pytest.raises(InvalidPasskey):
            await world.login_with_passkey.execute(
                start.cookie_token, assertion(start.options, b"cred-1", world.db.user_handles[user.id]), CLIENT
            )

    async def test_an_unknown_credential_or_another_accounts_handle_is_refused(self, world):
        user, _, _ = await with_passkey(world)
        other, _, _ = await with_passkey(world, b"other")
        with pytest.raises(InvalidPasskey):
            await sign_in_with(world, b"nobody", world.db.user_handles[user.id])
        with pytest.raises(InvalidPasskey):
            await sign_in_with(world, b"cred-1", world.db.user_handles[other.id])
        assert (await sign_in_with(world, b"cred-1", None)).user.id == user.id  # a handle is optional

    async def test_a_counter_that_goes_back_is_refused_and_written_in_the_activity(self, world):
        user, _, passkey = await with_passkey(world)
        handle = world.db.user_handles[user.id]
        await sign_in_with(world, b"cred-1", handle, signCount=7)
        assert world.db.passkeys[passkey.id].sign_count == 7
        for count in (7, 3):
            with pytest.raises(InvalidPasskey):
                await sign_in_with(world, b"cred-1", handle, signCount=count)
            assert world.db.events[-1] == (user.id, "mfa_failed", {"method": "passkey", "reason": "sign_count"})
        assert world.db.passkeys[passkey.id].sign_count == 7
        await sign_in_with(world, b"cred-1", handle, signCount=8)
        assert world.telemetry.logins[-3:] == [
            ("passkey", "invalid_credentials"), ("passkey", "invalid_credentials"), ("passkey", "success")
        ]

    async def test_options_and_answers_are_counted_per_address(self, world):
        for _ in range(world.passkey_policy.per_address.requests):
            await world.start_passkey_login.execute(CLIENT)
        with pytest.raises(RateLimited):
            await world.start_passkey_login.execute(CLIENT)
        for _ in range(world.passkey_policy.per_address.requests):
            with pytest.raises(InvalidPasskey):
                await world.login_with_passkey.execute(None, {}, CLIENT)
        with pytest.raises(RateLimited):
            await world.login_with_passkey.execute(None, {}, CLIENT)
        assert world.telemetry.logins[-1] == ("passkey", "rate_limited")
