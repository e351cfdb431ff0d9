"""Re-authenticating through a provider (GET /auth/{provider}?reauth=true): the round trip
makes the browser's session fresh when the identity is one linked to its account, and signs
nobody in nor links anything otherwise."""

import dataclasses

import pytest

from application.use_cases.complete_provider_sign_in import ProviderCallback
from domain.errors import ReauthFailed, ReauthRequired
from domain.identities import ProviderIdentity
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.application.test_totp_setup import go_stale
from tests.unit.conftest import CLIENT

MALLORY = dataclasses.replace(ALICE, subject="g-mallory", email="mallory@example.com")


async def reauth(world, sid: str | None, identity: ProviderIdentity = ALICE, *, callback_sid=None, **callback):
    """Start with reauth=true in the browser holding `sid`, then the provider answers with
    `identity`; the callback carries the browser's session (`callback_sid`, by default the same)."""
    world.google.next_identity = identity
    started = await world.start_provider.execute("google", link=False, redirect=None, sid=sid, reauth=True)
    state = started.authorization_url.rsplit("=", 1)[1]
    values = dict(provider="google", state=state, code=state, error=None, browser_token=started.browser_token,
                  sid=sid if callback_sid is None else callback_sid)
    return await world.complete_provider.execute(ProviderCallback(**{**values, **callback}), CLIENT)


async def stale_alice(world):
    """Alice signed in with Google, her session past the freshness window: (user id, sid)."""
    signed_in = await sign_in(world)
    go_stale(world)
    (user_id,) = world.db.users
    return user_id, signed_in.tokens.sid


async def test_the_linked_identity_makes_the_session_fresh(world):
    user_id, sid = await stale_alice(world)
    with pytest.raises(ReauthRequired):
        await world.set_up_totp.execute(sid)
    sessions = len(world.db.sessions)
    result = await reauth(world, sid)
    assert result.reauthenticated and result.tokens is None and not result.linked
    assert len(world.db.sessions) == sessions  # nobody signed in anew
    assert (user_id, "reauthenticated", {"methods": ["google"]}) in world.db.events
    await world.set_up_totp.execute(sid)  # fresh again


async def test_another_identity_fails_and_changes_nothing(world):
    user_id, sid = await stale_alice(world)
    events = list(world.db.events)
    with pytest.raises(ReauthFailed):
        await reauth(world, sid, MALLORY)
    assert world.db.events == events and len(world.db.users) == 1  # no user made, nothing linked
    with pytest.raises(ReauthRequired):
        await world.set_up_totp.execute(sid)


async def test_without_a_session_it_fails_before_the_provider(world):
    with pytest.raises(ReauthFailed):
        await world.start_provider.execute("google", link=False, redirect=None, sid=None, reauth=True)
    assert world.db.flows == {}


async def test_a_callback_with_another_session_fails(world):
    _, sid = await stale_alice(world)
    with pytest.raises(ReauthFailed):
        await reauth(world, sid, callback_sid="not-a-session")


async def test_a_refusal_at_the_provider_fails(world):
    _, sid = await stale_alice(world)
    with pytest.raises(ReauthFailed):
        await reauth(world, sid, error="access_denied", code=None)


async def test_it_wins_over_link_which_links_nothing(world):
    _, sid = await stale_alice(world)
    world.google.next_identity = MALLORY
    started = await world.start_provider.execute("google", link=True, redirect=None, sid=sid, reauth=True)
    state = started.authorization_url.rsplit("=", 1)[1]
    with pytest.raises(ReauthFailed):
        await world.complete_provider.execute(
            ProviderCallback("google", state, state, None, started.browser_token, sid=sid), CLIENT)
    assert {a.subject for a in world.db.linked_accounts.values()} == {ALICE.subject}
