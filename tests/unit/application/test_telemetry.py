"""What the use cases report (application.ports.telemetry), on fakes: each attempt's outcome,
and the security events, with the user's id when known and the client's address.
(The fakes' World locks after 3 failures and limits an address to 5 logins.)"""

import uuid

import pytest

from application.policy import LoginLimits
from application.ports.messages import IDENTIFIER_LOCKED, PASSWORD_CHANGED
from domain.identities import LinkedAccount
from domain.totp import totp
from domain.errors import (
    AccountLocked,
    EmailTaken,
    InvalidCode,
    InvalidCredentials,
    InvalidInput,
    InvalidRefresh,
    InvalidState,
    MfaRequired,
    NoRefreshToken,
    PasswordWorkBusy,
    RateLimited,
    SocialOnlyAccount,
    TooManyAttempts,
    WeakPassword,
)
from tests.factories import RegistrationFactory, UserFactory
from tests.fakes import ReportedEvent
from tests.unit.application.test_email_verification import PASSWORD, register
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.application.test_second_step import challenged as opened, wrong_code
from tests.unit.conftest import CLIENT

WRONG = "wrong-password-9"


async def fail(world, identifier: str, error=InvalidCredentials) -> None:
    with pytest.raises(error):
        await world.login.execute(identifier, WRONG, CLIENT)


async def test_a_login_reports_its_success_and_no_security_event(world):
    await register(world, email="ada@example.com")
    await world.login.execute("ada@example.com", PASSWORD, CLIENT)
    assert world.telemetry.logins == [("password", "success")]
    assert world.telemetry.events == []


async def test_a_wrong_password_is_a_failed_login_of_that_account(world):
    user, _ = await register(world, email="ada@example.com")
    await fail(world, "ada@example.com")
    assert world.telemetry.logins == [("password", "invalid_credentials")]
    assert world.telemetry.events == [ReportedEvent("login_failed", CLIENT.ip, user.id, "invalid_credentials")]


async def test_an_unknown_identifier_is_a_failed_login_of_nobody(world):
    await fail(world, "nobody@example.com")
    assert world.telemetry.events == [ReportedEvent("login_failed", CLIENT.ip, None, "invalid_credentials")]


async def test_the_failure_that_locks_reports_the_lock_and_the_refused_attempts_after_it(world):
    user, _ = await register(world, email="ada@example.com")
    for _ in range(3):
        await fail(world, "ada@example.com")
    assert world.telemetry.events[-1] == ReportedEvent("account_locked", CLIENT.ip, user.id)
    assert len(sent(world, IDENTIFIER_LOCKED)) == 1
    await fail(world, "ada@example.com", AccountLocked)
    assert world.telemetry.logins[-1] == ("password", "locked")
    assert world.telemetry.events[-1] == ReportedEvent("login_failed", CLIENT.ip, user.id, "locked")
    locks = [event for event in world.telemetry.events if event.event == "account_locked"]
    assert len(locks) == 1  # once per lock, as the notice


async def test_an_unknown_identifier_locks_too_and_says_so_without_a_user(world):
    for _ in range(3):
        await fail(world, "nobody@example.com")
    assert world.telemetry.events[-1] == ReportedEvent("account_locked", CLIENT.ip, None)


async def test_the_other_refusals_of_a_login_are_outcomes_not_failed_logins(world):
    await register(world, email="ada@example.com")
    social = UserFactory.build(email="grace@example.com", password_hash=None)
    world.db.users[social.id] = social
    account = LinkedAccount(uuid.uuid4(), social.id, "google", "g-1", world.clock.now())
    world.db.linked_accounts[account.id] = account
    await fail(world, "grace@example.com", SocialOnlyAccount)
    with pytest.raises(InvalidInput):
        await world.login.execute("ada@example.com", "x" * 300, CLIENT)  # past the 256 bytes
    world.hasher.queue_limit = 0
    await fail(world, "ada@example.com", PasswordWorkBusy)
    assert world.telemetry.logins == [("password", "social_only"), ("password", "invalid"), ("password", "busy")]
    assert world.telemetry.events == []


async def test_a_flooding_address_is_reported_rate_limited(world):
    for i in range(5):  # each identifier under its lock: only the address is flooding
        await fail(world, f"nobody{i}@example.com")
    await fail(world, "nobody@example.com", RateLimited)
    assert world.telemetry.logins[-1] == ("password", "rate_limited")


async def test_registrations_report_their_outcome(world):
    await register(world, email="ada@example.com")
    for changes, error in [({"email": "ada@example.com"}, EmailTaken), ({"password": "password"}, WeakPassword),
                           ({"email": "not an email"}, InvalidInput)]:
        with pytest.raises(error):
            await world.register.execute(RegistrationFactory.build(**changes), CLIENT)
    assert world.telemetry.registrations == ["created", "email_taken", "weak_password", "invalid"]


async def test_refreshes_report_rotated_grace_reuse_and_invalid(world):
    user, _ = await register(world, email="ada@example.com")
    token = (await world.login.execute("ada@example.com", PASSWORD, CLIENT)).tokens.refresh_token
    await world.refresh.execute(token, CLIENT)
    await world.refresh.execute(token, CLIENT)  # another tab, within the grace window
    world.clock.advance(seconds=11)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(token, CLIENT)  # stolen
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute("never-issued", CLIENT)
    with pytest.raises(NoRefreshToken):
        await world.refresh.execute(None, CLIENT)
    assert world.telemetry.refreshes == ["rotated", "grace", "reuse_detected", "invalid", "invalid"]
    assert world.telemetry.events == [ReportedEvent("refresh_reuse_detected", CLIENT.ip, user.id)]


async def test_a_refresh_of_an_ended_session_is_invalid(world):
    await register(world, email="ada@example.com")
    token = (await world.login.execute("ada@example.com", PASSWORD, CLIENT)).tokens.refresh_token
    world.clock.advance(days=31)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(token, CLIENT)
    assert world.telemetry.refreshes == ["invalid"]


async def test_an_unlock_is_a_security_event_of_the_account(world):
    user, _ = await register(world, email="ada@example.com")
    for _ in range(3):
        await fail(world, "ada@example.com")
    await world.unlock.execute(sent(world, IDENTIFIER_LOCKED)[-1].secrets["token"], CLIENT)
    assert world.telemetry.events[-1] == ReportedEvent("account_unlocked", CLIENT.ip, user.id)


async def test_not_you_is_a_security_event_of_the_account(world):
    user, sid = await register(world, email="ada@example.com")
    await world.change_password.execute(sid, PASSWORD, "brand-new-password-7", CLIENT)
    await world.secure_account.execute(sent(world, PASSWORD_CHANGED)[-1].secrets["token"], CLIENT)
    assert world.telemetry.events == [ReportedEvent("account_secured", CLIENT.ip, user.id)]


async def test_a_provider_sign_in_reports_success_and_a_refused_callback_failed(world):
    await sign_in(world, ALICE)
    with pytest.raises(InvalidState):
        await sign_in(world, ALICE, state="forged-state")
    assert world.telemetry.logins == [("google", "success"), ("google", "failed")]


async def test_a_right_password_before_a_second_step_is_mfa_required_then_the_step_a_success(world):
    user, secret, _, token = await opened(world)
    await world.verify_second_step.execute(token, CLIENT, code=totp(secret, world.clock.now()))
    assert world.telemetry.logins == [("password", "success")]
    world.telemetry.logins.clear()
    with pytest.raises(MfaRequired):
        await world.login.execute(user.email, PASSWORD, CLIENT)
    assert world.telemetry.logins == [("password", "mfa_required")]


async def test_a_burned_second_step_is_a_security_event_of_that_account(world):
    world.limits = LoginLimits(failures=10)
    user, secret, _, token = await opened(world)
    for _ in range(4):
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
    assert world.telemetry.events == []
    with pytest.raises(TooManyAttempts):
        await world.verify_second_step.execute(token, CLIENT, code=wrong_code(world, secret))
    assert world.telemetry.events == [ReportedEvent("mfa_failed", CLIENT.ip, user.id, None)]
