"""A password login to an account with TOTP on: a challenge, no session, until the second step."""

from datetime import timedelta

import pytest

from application.ports.messages import IDENTIFIER_LOCKED, NEW_DEVICE
from application.services.login_guard import account_key, device_prefix
from domain.errors import AccountLocked, InvalidCode, InvalidCredentials, MfaRequired
from domain.flows import PendingLink
from domain.identities import ProviderIdentity
from domain.totp import totp
from tests.unit.application.test_email_verification import PASSWORD
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_second_step import BROWSER, wrong_code
from tests.unit.application.test_totp_setup import with_totp
from tests.unit.conftest import CLIENT, ELSEWHERE


async def account(world):
    """An account with TOTP on, half a minute after its confirming code: (user, secret)."""
    user, _, secret, _ = await with_totp(world, email="ada@example.com", password_hash=f"fake${PASSWORD}")
    world.clock.advance(seconds=30)
    return user, secret


async def challenged(world, client=CLIENT, **login) -> MfaRequired:
    with pytest.raises(MfaRequired) as caught:
        await world.login.execute("ada@example.com", PASSWORD, client, **login)
    return caught.value


async def test_the_right_password_opens_a_challenge_and_no_session(world):
    user, _ = await account(world)
    sessions, events = len(world.db.sessions), len(world.db.events)
    required = await challenged(world)
    assert required.methods == ["totp", "recovery_code"]
    assert required.expires_at == world.clock.now() + timedelta(minutes=5)
    assert required.challenge_token not in str(required) and required.challenge_token not in repr(required)
    assert len(world.db.sessions) == sessions and len(world.db.events) == events
    stored = world.db.mfa_challenges[world.tokens.digest(required.challenge_token)].challenge
    assert (stored.user_id, stored.method, stored.lock_key) == (user.id, "password", account_key(user, ""))


async def test_the_second_step_then_signs_in_with_mfa_recorded(world):
    user, secret = await account(world)
    required = await challenged(world)
    signed_in = await world.verify_second_step.execute(
        required.challenge_token, CLIENT, code=totp(secret, world.clock.now()))
    assert (await world.current_user.execute(signed_in.tokens.sid)).id == user.id
    assert (user.id, "signed_in", {"method": "password", "mfa": True}) in world.db.events


async def test_a_wrong_password_is_still_invalid_credentials(world):
    await account(world)
    with pytest.raises(InvalidCredentials):
        await world.login.execute("ada@example.com", "wrong-password-9", CLIENT)
    assert world.db.mfa_challenges == {}


async def test_the_right_password_does_not_clear_the_count_the_second_step_adds_to(world):
    _, secret = await account(world)
    with pytest.raises(InvalidCredentials):
        await world.login.execute("ada@example.com", "wrong-password-9", CLIENT)
    required = await challenged(world)  # the second attempt of the run
    with pytest.raises(InvalidCode):  # the third: it sets the lock (the fakes' World locks at 3)
        await world.verify_second_step.execute(required.challenge_token, CLIENT, code=wrong_code(world, secret))
    assert len(sent(world, IDENTIFIER_LOCKED)) == 1
    with pytest.raises(AccountLocked):
        await world.login.execute("ada@example.com", PASSWORD, CLIENT)


async def test_a_browser_with_the_accounts_device_cookie_is_counted_on_its_own(world):
    user, secret = await account(world)
    first = await challenged(world)
    signed_in = await world.verify_second_step.execute(first.challenge_token, CLIENT, code=totp(secret, world.clock.now()))
    world.clock.advance(seconds=30)
    again = await challenged(world, device_cookie=signed_in.device_cookie)
    stored = world.db.mfa_challenges[world.tokens.digest(again.challenge_token)].challenge
    assert stored.lock_key.startswith(device_prefix(user.id))


async def test_the_new_device_alert_waits_for_the_second_step(world):
    _, secret = await account(world)
    required = await challenged(world, client=ELSEWHERE)
    assert sent(world, NEW_DEVICE) == []
    await world.verify_second_step.execute(required.challenge_token, ELSEWHERE, code=totp(secret, world.clock.now()))
    assert len(sent(world, NEW_DEVICE)) == 1


async def test_a_pending_link_waits_for_the_second_step(world):
    user, secret = await account(world)
    now = world.clock.now()
    world.db.pending_links[world.tokens.digest(BROWSER)] = PendingLink(
        world.tokens.digest(BROWSER), user.id, ProviderIdentity("github", "gh-1"), now, now + timedelta(minutes=10))
    required = await challenged(world, pending_link=BROWSER)
    assert world.db.linked_accounts == {} and world.tokens.digest(BROWSER) in world.db.pending_links
    signed_in = await world.verify_second_step.execute(
        required.challenge_token, CLIENT, code=totp(secret, world.clock.now()))
    assert signed_in.linked_provider == "github"
