"""Link after proof, on fakes: an email collision the provider does not vouch for is kept
as a pending link of one browser, which only a password login to that account completes."""

import dataclasses

import pytest

from domain.errors import EmailNotVerified, InvalidCredentials, LinkPending
from domain.identities import ProviderTokens
from tests.factories import RegistrationFactory
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.conftest import CLIENT

PASSWORD = "correct-horse-battery-42"
UNVERIFIED = dataclasses.replace(ALICE, email_verified=False)


async def register(world, email="alice@example.com"):
    signed_in = await world.register.execute(RegistrationFactory.build(email=email, password=PASSWORD), CLIENT)
    world.prove_address(signed_in.user.id)
    return signed_in


async def collide(world) -> str:
    """The unverified Google sign-in for alice's account: answers the browser's cookie."""
    with pytest.raises(LinkPending) as refused:
        await sign_in(world, UNVERIFIED)
    assert refused.value.provider == "google"
    return refused.value.browser_token


def google_accounts(world) -> list:
    return [a for a in world.db.linked_accounts.values() if a.provider == "google"]


async def test_the_collision_is_refused_and_kept_as_a_pending_link_of_that_browser(world):
    alice = await register(world)
    token = await collide(world)
    (link,) = world.db.pending_links.values()
    assert (link.user_id, link.identity) == (alice.user.id, UNVERIFIED)
    assert link.browser_digest == world.tokens.digest(token) != token.encode()  # only a digest
    assert link.expires_at - link.created_at == world.complete_provider.policy.pending_link_ttl
    assert not world.db.linked_accounts  # nothing linked without the proof


async def test_an_account_without_a_password_keeps_no_pending_link(world):
    await sign_in(world)  # alice is Google-only: no password could ever prove her account
    with pytest.raises(EmailNotVerified) as refused:
        await sign_in(world, dataclasses.replace(UNVERIFIED, subject="g-other"))
    assert not isinstance(refused.value, LinkPending) and not world.db.pending_links


async def test_the_password_login_to_that_account_in_that_browser_attaches_the_identity(world):
    alice = await register(world)
    token = await collide(world)
    signed_in = await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)
    assert signed_in.linked_provider == "google" and signed_in.user.providers == ("google",)
    (account,) = google_accounts(world)
    assert (account.user_id, account.subject, account.tokens) == (
        alice.user.id, "g-alice", ProviderTokens(access_token="at-1", refresh_token="rt-1", id_token="idt-1"))
    assert (alice.user.id, "provider_linked", {"provider": "google"}) in world.db.events
    assert not world.db.pending_links


async def test_a_login_without_the_browser_cookie_links_nothing_and_keeps_it(world):
    await register(world)
    await collide(world)
    signed_in = await world.login.execute("alice@example.com", PASSWORD, CLIENT)
    assert signed_in.linked_provider is None and not world.db.linked_accounts
    assert len(world.db.pending_links) == 1


async def test_a_failed_login_links_nothing_and_keeps_it(world):
    await register(world)
    token = await collide(world)
    with pytest.raises(InvalidCredentials):
        await world.login.execute("alice@example.com", "wrong-password-1", CLIENT, token)
    assert not world.db.linked_accounts and len(world.db.pending_links) == 1


async def test_another_accounts_login_drops_it(world):
    await register(world)
    await register(world, "bob@example.com")
    token = await collide(world)
    assert (await world.login.execute("bob@example.com", PASSWORD, CLIENT, token)).linked_provider is None
    assert not world.db.pending_links
    assert (await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)).linked_provider is None
    assert not world.db.linked_accounts


async def test_an_expired_pending_link_is_dropped(world):
    await register(world)
    token = await collide(world)
    world.clock.advance(minutes=10)
    assert (await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)).linked_provider is None
    assert not world.db.linked_accounts and not world.db.pending_links


async def test_a_pending_link_is_single_use(world):
    alice = await register(world)
    token = await collide(world)
    await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)
    signed_in = await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)
    await world.unlink.execute(signed_in.tokens.sid, "google", CLIENT)
    again = await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)
    assert again.linked_provider is None and world.db.user(alice.user.id).providers == ()


async def test_an_identity_linked_meanwhile_elsewhere_leaves_the_login_signed_in(world):
    await register(world)
    token = await collide(world)
    bob = await register(world, "bob@example.com")
    await sign_in(world, dataclasses.replace(ALICE, email="bob@example.com"), link=True, sid=bob.tokens.sid)
    signed_in = await world.login.execute("alice@example.com", PASSWORD, CLIENT, token)
    assert signed_in.linked_provider is None and signed_in.tokens.sid
    (account,) = google_accounts(world)
    assert account.user_id == bob.user.id
