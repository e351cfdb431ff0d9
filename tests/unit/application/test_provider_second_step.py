"""A provider sign-in into an account with TOTP on: a challenge, no session; a provider is no
way around the second factor."""

import uuid

import pytest

from application.services.login_guard import account_key
from domain.errors import InvalidCode, MfaRequired, TooManyAttempts
from domain.identities import LinkedAccount
from domain.totp import totp
from tests.unit.application.test_email_verification import PASSWORD
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.application.test_second_step import wrong_code
from tests.unit.application.test_totp_setup import with_totp
from tests.unit.conftest import CLIENT


async def alice(world, linked=False):
    """Alice's account (a password, her address proven, TOTP on), half a minute after its
    confirming code; with her Google identity linked when `linked`."""
    user, _, secret, _ = await with_totp(world, email="alice@example.com", password_hash=f"fake${PASSWORD}")
    if linked:
        account = LinkedAccount(uuid.uuid4(), user.id, "google", ALICE.subject, world.clock.now())
        world.db.linked_accounts[account.id] = account
    world.clock.advance(seconds=30)
    return user, secret


async def challenged(world, **sign_in_args) -> MfaRequired:
    with pytest.raises(MfaRequired) as caught:
        await sign_in(world, **sign_in_args)
    return caught.value


async def test_a_returning_identity_gets_a_challenge_and_no_session(world):
    user, secret = await alice(world, linked=True)
    sessions = len(world.db.sessions)
    required = await challenged(world)
    assert required.methods == ["totp", "recovery_code"] and len(world.db.sessions) == sessions
    stored = world.db.mfa_challenges[world.tokens.digest(required.challenge_token)].challenge
    assert (stored.method, stored.lock_key, stored.pending_link_digest) == ("google", account_key(user, ""), None)
    (account,) = world.db.linked_accounts.values()
    assert account.tokens.refresh_token == "rt-1"  # the provider's fresh tokens are kept all the same

    signed_in = await world.verify_second_step.execute(
        required.challenge_token, CLIENT, code=totp(secret, world.clock.now()))
    assert (await world.current_user.execute(signed_in.tokens.sid)).id == user.id
    assert (user.id, "signed_in", {"method": "google", "mfa": True}) in world.db.events
    assert signed_in.device_cookie is not None


async def test_an_identity_found_by_email_is_attached_only_once_the_second_step_is_passed(world):
    user, secret = await alice(world)
    required = await challenged(world)
    assert world.db.linked_accounts == {} and len(world.db.pending_links) == 1
    assert not any(kind == "provider_linked" for _, kind, _ in world.db.events)

    signed_in = await world.verify_second_step.execute(
        required.challenge_token, CLIENT, code=totp(secret, world.clock.now()))
    assert signed_in.linked_provider == "google" and signed_in.user.providers == ("google",)
    assert (user.id, "provider_linked", {"provider": "google"}) in world.db.events
    assert world.db.pending_links == {}


async def test_a_burned_challenge_attaches_nothing(world):
    world.limits = type(world.limits)(failures=10)
    _, secret = await alice(world)
    required = await challenged(world)
    for _ in range(4):
        with pytest.raises(InvalidCode):
            await world.verify_second_step.execute(required.challenge_token, CLIENT, code=wrong_code(world, secret))
    with pytest.raises(TooManyAttempts):
        await world.verify_second_step.execute(required.challenge_token, CLIENT, code=wrong_code(world, secret))
    assert world.db.linked_accounts == {}
    assert [event for _, kind, event in world.db.events if kind == "mfa_failed"] == [{"method": "google"}]


async def test_linking_to_the_signed_in_account_needs_no_second_step(world):
    user, sid, _, _ = await with_totp(world, email="alice@example.com")
    result = await sign_in(world, link=True, sid=sid)
    assert result.linked and world.db.user(user.id).providers == ("google",)
    assert world.db.mfa_challenges == {}
