"""Turning TOTP on and off, recovery codes and the status, on fakes; and the freshness the
sensitive ones need."""

import base64
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from application.ports.messages import SECOND_FACTOR_CHANGED
from domain.email_links import SECURE_ACCOUNT
from domain.identities import LinkedAccount
from domain.errors import (
    AddressNotProven,
    InvalidCode,
    InvalidInput,
    MfaAlreadyEnabled,
    MfaNotEnabled,
    MfaSetupNotStarted,
    NotAuthenticated,
    ReauthRequired,
)
from domain.recovery_codes import normalize_recovery_code
from domain.totp import hotp, time_step, totp
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import sign_in
from tests.unit.application.test_forgot_password import sent
from tests.unit.conftest import CLIENT


def secret_of(setup) -> bytes:
    padded = setup.secret + "=" * (-len(setup.secret) % 8)
    return base64.b32decode(padded)


async def signed_in(world, **changes):
    user = UserFactory.build(**{"email_verified_at": world.clock.now(), **changes})
    return user, await sign_in(world, user)


async def with_totp(world, **changes):
    """A signed-in account with TOTP on: (user, sid, secret, recovery codes)."""
    user, sid = await signed_in(world, **changes)
    secret = secret_of(await world.set_up_totp.execute(sid))
    codes = await world.confirm_totp.execute(sid, totp(secret, world.clock.now()), CLIENT)
    return user, sid, secret, codes


def go_stale(world) -> None:
    world.clock.advance(seconds=world.freshness_policy.max_age.total_seconds() + 1)


class TestSetUp:
    async def test_answers_a_160_bit_secret_and_its_otpauth_uri(self, world):
        user, sid = await signed_in(world, email="ada@example.com")
        setup = await world.set_up_totp.execute(sid)
        assert len(secret_of(setup)) == 20 and len(setup.secret) == 32
        parts = urlsplit(setup.otpauth_uri)
        assert parts.path == "/S%C3%A9same:ada@example.com"
        assert parse_qs(parts.query) == {"secret": [setup.secret], "issuer": ["Sésame"]}

    async def test_the_issuer_is_the_policys(self, world):
        world.second_factor_policy = type(world.second_factor_policy)(issuer="Acme")
        _, sid = await signed_in(world)
        assert parse_qs(urlsplit((await world.set_up_totp.execute(sid)).otpauth_uri).query)["issuer"] == ["Acme"]

    async def test_an_account_without_email_is_named_by_its_username(self, world):
        _, sid = await signed_in(world, email=None, username="ada_l")
        assert urlsplit((await world.set_up_totp.execute(sid)).otpauth_uri).path == "/S%C3%A9same:ada_l"

    async def test_nothing_is_on_until_confirmed_and_a_new_setup_replaces_the_pending_secret(self, world):
        user, sid = await signed_in(world)
        first = await world.set_up_totp.execute(sid)
        second = await world.set_up_totp.execute(sid)
        assert first.secret != second.secret
        assert world.db.totp[user.id].secret == secret_of(second) and not world.db.totp[user.id].enabled
        assert (await world.mfa_status.execute(sid)).totp is False
        assert world.db.outbox == [] and world.db.events[-1][1] == "signed_in"

    async def test_refused_when_totp_is_on(self, world):
        user, sid, secret, _ = await with_totp(world)
        with pytest.raises(MfaAlreadyEnabled):
            await world.set_up_totp.execute(sid)
        assert world.db.totp[user.id].secret == secret

    async def test_refused_for_an_unproven_address(self, world):
        user, sid = await signed_in(world, email_verified_at=None)
        with pytest.raises(AddressNotProven):
            await world.set_up_totp.execute(sid)
        assert user.id not in world.db.totp

    async def test_needs_a_session(self, world):
        with pytest.raises(NotAuthenticated):
            await world.set_up_totp.execute(None)

    async def test_needs_a_fresh_sign_in_and_names_the_methods(self, world):
        user, sid = await signed_in(world)
        go_stale(world)
        with pytest.raises(ReauthRequired) as caught:
            await world.set_up_totp.execute(sid)
        assert caught.value.methods == ["password"]
        assert user.id not in world.db.totp


class TestConfirm:
    async def test_the_first_code_turns_it_on_and_answers_ten_recovery_codes_once(self, world):
        user, sid, secret, codes = await with_totp(world)
        state = world.db.totp[user.id]
        assert state.enabled and state.last_step == time_step(world.clock.now())
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(normalize_recovery_code(code) for code in codes)
        stored = {digest for owner, digest in world.db.recovery_codes if owner == user.id}
        assert stored == {world.tokens.digest(normalize_recovery_code(code)) for code in codes}
        assert (await world.mfa_status.execute(sid)).recovery_codes_left == 10

    async def test_records_mfa_enabled_and_tells_the_owner_with_a_not_you_link(self, world):
        user, *_ = await with_totp(world, email="ada@example.com")
        assert (user.id, "mfa_enabled", {"method": "totp"}) in world.db.events
        [notice] = sent(world, SECOND_FACTOR_CHANGED)
        assert (notice.recipient, notice.values["change"]) == ("ada@example.com", "totp_on")
        link = world.db.email_links[world.tokens.digest(notice.secrets["token"])].email_link
        assert (link.purpose, link.user_id) == (SECURE_ACCOUNT, user.id)

    async def test_a_code_one_step_either_side_is_accepted(self, world):
        for drift in (-1, 1):
            world.db.totp.clear()
            _, sid = await signed_in(world)
            secret = secret_of(await world.set_up_totp.execute(sid))
            code = hotp(secret, time_step(world.clock.now()) + drift)
            assert len(await world.confirm_totp.execute(sid, code, CLIENT)) == 10

    async def test_a_wrong_code_changes_nothing(self, world):
        user, sid = await signed_in(world)
        secret = secret_of(await world.set_up_totp.execute(sid))
        step = time_step(world.clock.now())
        with pytest.raises(InvalidCode):
            await world.confirm_totp.execute(sid, hotp(secret, step + 2), CLIENT)
        assert not world.db.totp[user.id].enabled and world.db.recovery_codes == {} and world.db.outbox == []

    async def test_a_code_that_is_not_six_digits_is_a_bad_input(self, world):
        _, sid = await signed_in(world)
        await world.set_up_totp.execute(sid)
        with pytest.raises(InvalidInput):
            await world.confirm_totp.execute(sid, "12 34", CLIENT)

    async def test_without_a_pending_secret(self, world):
        _, sid = await signed_in(world)
        with pytest.raises(MfaSetupNotStarted):
            await world.confirm_totp.execute(sid, "123456", CLIENT)

    async def test_twice_is_not_started_the_second_time(self, world):
        _, sid, secret, _ = await with_totp(world)
        world.clock.advance(seconds=30)
        with pytest.raises(MfaSetupNotStarted):
            await world.confirm_totp.execute(sid, totp(secret, world.clock.now()), CLIENT)

    async def test_needs_no_fresh_sign_in(self, world):
        _, sid = await signed_in(world)
        secret = secret_of(await world.set_up_totp.execute(sid))
        go_stale(world)
        assert len(await world.confirm_totp.execute(sid, totp(secret, world.clock.now()), CLIENT)) == 10


class TestDisable:
    async def test_the_secret_and_the_codes_go_with_an_event_and_a_notice(self, world):
        user, sid, *_ = await with_totp(world)
        await world.disable_totp.execute(sid, CLIENT)
        assert user.id not in world.db.totp and world.db.recovery_codes == {}
        assert (user.id, "mfa_disabled", {"method": "totp"}) in world.db.events
        assert [m.values["change"] for m in sent(world, SECOND_FACTOR_CHANGED)] == ["totp_on", "totp_off"]
        status = await world.mfa_status.execute(sid)
        assert (status.totp, status.recovery_codes_left, status.passkeys) == (False, 0, 0)

    async def test_not_enabled(self, world):
        _, sid = await signed_in(world)
        with pytest.raises(MfaNotEnabled):
            await world.disable_totp.execute(sid, CLIENT)
        await world.set_up_totp.execute(sid)  # pending is not on
        with pytest.raises(MfaNotEnabled):
            await world.disable_totp.execute(sid, CLIENT)

    async def test_needs_a_fresh_sign_in_and_lists_totp_among_the_methods(self, world):
        user, sid, *_ = await with_totp(world)
        account = LinkedAccount(uuid.uuid4(), user.id, "google", "g-1", world.clock.now())
        world.db.linked_accounts[account.id] = account
        go_stale(world)
        with pytest.raises(ReauthRequired) as caught:
            await world.disable_totp.execute(sid, CLIENT)
        assert caught.value.methods == ["password", "totp", "google"]
        assert world.db.totp[user.id].enabled

    async def test_a_refresh_keeps_the_sign_in_time(self, world):
        user, _ = await signed_in(world)
        async with world.new_uow() as uow:
            tokens = await world.issuer.open(uow, user.id, world.clock.now(), CLIENT, "password")
            await uow.commit()
        go_stale(world)
        refreshed = await world.refresh.execute(tokens.refresh_token, CLIENT)
        with pytest.raises(ReauthRequired):
            await world.set_up_totp.execute(refreshed.sid)

    async def test_a_re_authenticated_session_is_fresh_again(self, world):
        _, sid = await signed_in(world)
        go_stale(world)
        async with world.new_uow() as uow:
            session_id = await uow.sessions.session_id_by_sid(world.tokens.digests(sid))
            await uow.sessions.mark_signed_in(session_id, world.clock.now())
            await uow.commit()
        assert (await world.set_up_totp.execute(sid)).secret


class TestRecoveryCodes:
    async def test_a_new_set_replaces_the_old_one(self, world):
        user, sid, _, old = await with_totp(world)
        new = await world.regenerate_recovery_codes.execute(sid, CLIENT)
        assert len(new) == 10 and not set(new) & set(old)
        stored = {digest for owner, digest in world.db.recovery_codes if owner == user.id}
        assert stored == {world.tokens.digest(normalize_recovery_code(code)) for code in new}
        assert (user.id, "recovery_codes_regenerated", {}) in world.db.events
        assert sent(world, SECOND_FACTOR_CHANGED)[-1].values["change"] == "recovery_codes_renewed"

    async def test_not_enabled(self, world):
        _, sid = await signed_in(world)
        with pytest.raises(MfaNotEnabled):
            await world.regenerate_recovery_codes.execute(sid, CLIENT)

    async def test_needs_a_fresh_sign_in(self, world):
        user, sid, _, old = await with_totp(world)
        world.clock.advance(seconds=world.freshness_policy.max_age.total_seconds())
        await world.regenerate_recovery_codes.execute(sid, CLIENT)  # exactly max_age: still fresh
        world.clock.advance(seconds=1)
        with pytest.raises(ReauthRequired):
            await world.regenerate_recovery_codes.execute(sid, CLIENT)


async def test_an_account_without_email_is_told_by_whatsapp_on_a_verified_number(world):
    user, *_ = await with_totp(world, email=None, username="ada_l", phone_number="+33612345678",
                               phone_verified_at=world.clock.now())
    [notice] = sent(world, SECOND_FACTOR_CHANGED)
    assert (notice.channel, notice.recipient) == ("whatsapp", "+33612345678")


async def test_the_status_needs_a_session(world):
    with pytest.raises(NotAuthenticated):
        await world.mfa_status.execute("nope")


async def test_the_freshness_window_is_the_policys(world):
    world.freshness_policy = type(world.freshness_policy)(max_age=timedelta(seconds=30))
    _, sid = await signed_in(world)
    world.clock.advance(seconds=31)
    with pytest.raises(ReauthRequired):
        await world.set_up_totp.execute(sid)
