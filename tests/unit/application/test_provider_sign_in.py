"""Every branch of the provider sign-in rules, on fakes."""

import asyncio
import dataclasses

import pytest

from application.use_cases.complete_provider_sign_in import ProviderCallback
from domain.errors import (
    AccessDenied,
    AccountAlreadyLinked,
    EmailNotVerified,
    InvalidRefresh,
    InvalidState,
    ProviderError,
    ProviderNotConfigured,
)
from domain.identities import ProviderIdentity, ProviderTokens
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT, ELSEWHERE

ALICE = ProviderIdentity(
    provider="google", subject="g-alice", email="Alice@Example.com", email_verified=True,
    given_name="Alice", family_name="Martin", picture="https://img.example/a.png",
    tokens=ProviderTokens(access_token="at-1", refresh_token="rt-1", id_token="idt-1"),
)


async def sign_in(world, identity=ALICE, *, link=False, sid=None, redirect=None, client=CLIENT, **callback):
    """The whole dance: start, the provider answers with `identity`, the callback."""
    world.google.next_identity = identity
    started = await world.start_provider.execute("google", link=link, redirect=redirect, sid=sid)
    state = started.authorization_url.rsplit("=", 1)[1]
    values = dict(provider="google", state=state, code=state, error=None,
                  browser_token=started.browser_token)
    return await world.complete_provider.execute(ProviderCallback(**{**values, **callback}), client)


def only_user(world):
    (user_id,) = world.db.users
    return world.db.user(user_id)


async def test_a_new_identity_creates_user_profile_and_account(world):
    result = await sign_in(world)
    user = only_user(world)
    assert (user.email, user.email_verified, user.has_password) == ("alice@example.com", True, False)
    assert (user.profile.firstname, user.profile.lastname, user.profile.photo) == (
        "Alice", "Martin", "https://img.example/a.png")
    assert user.providers == ("google",)
    (account,) = world.db.linked_accounts.values()
    assert (account.subject, account.tokens.refresh_token) == ("g-alice", "rt-1")
    assert (await world.current_user.execute(result.tokens.sid)).id == user.id
    assert not result.linked


async def test_name_is_split_when_given_and_family_names_are_missing(world):
    await sign_in(world, dataclasses.replace(ALICE, given_name=None, family_name=None,
                                             name="Jean Du Pont"))
    assert (only_user(world).profile.firstname, only_user(world).profile.lastname) == ("Jean", "Du Pont")


async def test_a_returning_identity_signs_in_and_stores_new_tokens(world):
    await sign_in(world)
    again = dataclasses.replace(ALICE, tokens=ProviderTokens(access_token="at-2"))
    result = await sign_in(world, again)
    assert len(world.db.users) == 1
    (account,) = world.db.linked_accounts.values()
    assert account.tokens.access_token == "at-2"
    assert (await world.current_user.execute(result.tokens.sid)).id == account.user_id


async def test_link_attaches_the_identity_to_the_signed_in_user(world):
    registered = await world.register.execute(RegistrationFactory.build(email="me@corp.example"), CLIENT)
    world.prove_address(registered.user.id)
    result = await sign_in(world, link=True, sid=registered.tokens.sid)
    assert result.linked and result.tokens is None  # the browser keeps its session
    assert world.db.user(registered.user.id).providers == ("google",)
    assert len(world.db.users) == 1
    assert ("provider_linked" in [kind for _, kind, _ in world.db.events])


async def test_link_of_someone_elses_identity_changes_nothing(world):
    await sign_in(world)
    other = await world.register.execute(RegistrationFactory.build(), CLIENT)
    with pytest.raises(AccountAlreadyLinked):
        await sign_in(world, link=True, sid=other.tokens.sid)
    assert world.db.user(other.user.id).providers == ()


async def test_link_without_a_session_is_an_ordinary_sign_in(world):
    result = await sign_in(world, link=True, sid="not-a-session")
    assert not result.linked and result.tokens is not None


async def test_verified_email_of_a_verified_user_links_and_keeps_the_password(world):
    registered = await world.register.execute(RegistrationFactory.build(email="alice@example.com"), CLIENT)
    world.db.users[registered.user.id].email_verified_at = world.clock.now()
    result = await sign_in(world)
    user = world.db.user(registered.user.id)
    assert user.providers == ("google",) and user.has_password
    assert await world.current_user.execute(registered.tokens.sid) is not None
    assert (await world.current_user.execute(result.tokens.sid)).id == user.id


async def test_verified_email_of_an_unverified_user_proves_ownership(world):
    squatter = await world.register.execute(RegistrationFactory.build(email="alice@example.com"), CLIENT)
    result = await sign_in(world, client=ELSEWHERE)
    user = world.db.user(squatter.user.id)
    assert not user.has_password and user.email_verified and user.providers == ("google",)
    assert await world.current_user.execute(squatter.tokens.sid) is None
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(squatter.tokens.refresh_token)
    assert (await world.current_user.execute(result.tokens.sid)).id == user.id
    proof = [(e.kind, e.detail, e.ip, e.user_agent) for who, e in world.db.event_log
             if who == user.id and e.kind in ("email_verified", "password_removed")]
    assert proof == [
        ("email_verified", {"provider": "google", "sessionsRevoked": 1, "passwordRemoved": True},
         ELSEWHERE.ip, ELSEWHERE.user_agent),
        ("password_removed", {"provider": "google"}, ELSEWHERE.ip, ELSEWHERE.user_agent),
    ]


async def test_proving_an_unverified_email_without_a_password_removes_none(world):
    registered = await world.register.execute(RegistrationFactory.build(email="alice@example.com"), CLIENT)
    world.db.users[registered.user.id].password_hash = None
    await sign_in(world, client=ELSEWHERE)
    kinds = [e.kind for who, e in world.db.event_log if who == registered.user.id]
    assert "email_verified" in kinds and "password_removed" not in kinds


async def test_unverified_provider_email_of_a_user_is_refused(world):
    registered = await world.register.execute(RegistrationFactory.build(email="alice@example.com"), CLIENT)
    with pytest.raises(EmailNotVerified):
        await sign_in(world, dataclasses.replace(ALICE, email_verified=False))
    assert world.db.user(registered.user.id).providers == () and not world.db.linked_accounts
    assert world.db.user(registered.user.id).has_password


async def test_unverified_email_nobody_has_creates_an_unverified_user(world):
    await sign_in(world, dataclasses.replace(ALICE, email_verified=False))
    assert not only_user(world).email_verified


async def test_two_concurrent_callbacks_for_one_new_identity_make_one_user(world):
    results = await asyncio.gather(sign_in(world), sign_in(world))
    assert len(world.db.users) == 1 and len(world.db.linked_accounts) == 1
    assert all(r.tokens for r in results)


class TestFlowChecks:
    async def test_state_is_single_use(self, world):
        world.google.next_identity = ALICE
        started = await world.start_provider.execute("google", link=False, redirect=None, sid=None)
        state = started.authorization_url.rsplit("=", 1)[1]
        callback = ProviderCallback("google", state, state, None, started.browser_token)
        await world.complete_provider.execute(callback, CLIENT)
        with pytest.raises(InvalidState):
            await world.complete_provider.execute(callback, CLIENT)
        assert len(world.db.users) == 1

    @pytest.mark.parametrize("changes", [
        {"browser_token": "another-browser"}, {"browser_token": None}, {"state": "forged"},
        {"state": None},
    ])
    async def test_foreign_or_missing_state_is_refused(self, world, changes):
        with pytest.raises(InvalidState):
            await sign_in(world, **changes)
        assert not world.db.users

    async def test_expired_flow_is_refused(self, world):
        world.google.next_identity = ALICE
        started = await world.start_provider.execute("google", link=False, redirect=None, sid=None)
        state = started.authorization_url.rsplit("=", 1)[1]
        world.clock.advance(minutes=10)
        with pytest.raises(InvalidState):
            await world.complete_provider.execute(
                ProviderCallback("google", state, state, None, started.browser_token), CLIENT)

    async def test_denied_consent(self, world):
        with pytest.raises(AccessDenied):
            await sign_in(world, code=None, error="access_denied")
        assert not world.db.users

    async def test_provider_failure_changes_nothing(self, world):
        world.google.fail_next = True
        with pytest.raises(ProviderError):
            await sign_in(world)
        assert not world.db.users and not world.db.sessions

    async def test_unknown_provider(self, world):
        with pytest.raises(ProviderNotConfigured):
            await world.start_provider.execute("github", link=False, redirect=None, sid=None)

    @pytest.mark.parametrize(("redirect", "kept"), [
        ("/settings/accounts?tab=1", "/settings/accounts?tab=1"),
        ("https://evil.example/", None), ("//evil.example", None), ("/\\evil.example", None),
        ("javascript:alert(1)", None), ("settings", None),
    ])
    async def test_only_frontend_paths_are_kept_as_redirect(self, world, redirect, kept):
        assert (await sign_in(world, redirect=redirect)).redirect_path == kept


class TestLinkedAccounts:
    async def test_lists_accounts_and_password(self, world):
        result = await sign_in(world)
        listed = await world.list_accounts.execute(result.tokens.sid)
        assert [a.provider for a in listed.accounts] == ["google"] and not listed.has_password

    async def test_the_last_way_to_sign_in_cannot_be_removed(self, world):
        from domain.errors import LastLoginMethod

        result = await sign_in(world)
        with pytest.raises(LastLoginMethod):
            await world.unlink.execute(result.tokens.sid, "google", CLIENT)
        assert world.db.linked_accounts

    async def test_unlink_when_a_password_remains(self, world):
        from domain.errors import NotLinked

        registered = await world.register.execute(RegistrationFactory.build(), CLIENT)
        world.prove_address(registered.user.id)
        await sign_in(world, link=True, sid=registered.tokens.sid)
        await world.unlink.execute(registered.tokens.sid, "google", CLIENT)
        assert world.db.user(registered.user.id).providers == ()
        with pytest.raises(NotLinked):
            await world.unlink.execute(registered.tokens.sid, "google", CLIENT)

    async def test_requires_a_session(self, world):
        from domain.errors import NotAuthenticated

        with pytest.raises(NotAuthenticated):
            await world.list_accounts.execute(None)
        with pytest.raises(NotAuthenticated):
            await world.unlink.execute("bogus", "google", CLIENT)


async def test_a_state_presented_without_the_browser_cookie_is_burned(world):
    world.google.next_identity = ALICE
    started = await world.start_provider.execute("google", link=False, redirect=None, sid=None)
    state = started.authorization_url.rsplit("=", 1)[1]
    with pytest.raises(InvalidState):
        await world.complete_provider.execute(ProviderCallback("google", state, state, None, None), CLIENT)
    with pytest.raises(InvalidState):
        await world.complete_provider.execute(
            ProviderCallback("google", state, state, None, started.browser_token), CLIENT)
    assert not world.db.users


class TestWithoutAnEmail:
    """A provider may give no email (Facebook by phone, GitHub): no placeholder, never a link by email."""

    NOBODY = dataclasses.replace(ALICE, subject="g-nomail", email=None, email_verified=False)

    async def test_the_user_is_created_with_no_email_and_asked_for_one(self, world):
        result = await sign_in(world, self.NOBODY)
        user = only_user(world)
        assert (user.email, user.email_verified) == (None, False)
        assert user.required_actions() == ["add_email"]
        (account,) = world.db.linked_accounts.values()
        assert account.email is None
        assert (await world.current_user.execute(result.tokens.sid)).id == user.id

    async def test_an_email_our_rules_refuse_is_no_email(self, world):
        await sign_in(world, dataclasses.replace(self.NOBODY, email="not an email", email_verified=True))
        assert only_user(world).email is None and only_user(world).required_actions() == ["add_email"]

    async def test_two_people_without_an_email_get_two_accounts(self, world):
        await sign_in(world, self.NOBODY)
        await sign_in(world, dataclasses.replace(self.NOBODY, subject="g-nomail-2"))
        assert len(world.db.users) == 2 and len(world.db.linked_accounts) == 2

    async def test_returning_signs_in_the_same_user(self, world):
        first = await sign_in(world, self.NOBODY)
        again = await sign_in(world, self.NOBODY)
        assert len(world.db.users) == 1
        assert (await world.current_user.execute(again.tokens.sid)).id == (
            await world.current_user.execute(first.tokens.sid)).id

    async def test_it_links_to_the_signed_in_user(self, world):
        registered = await world.register.execute(RegistrationFactory.build(), CLIENT)
        world.prove_address(registered.user.id)
        result = await sign_in(world, self.NOBODY, link=True, sid=registered.tokens.sid)
        assert result.linked and world.db.user(registered.user.id).providers == ("google",)
        assert world.db.user(registered.user.id).email == registered.user.email

    async def test_two_concurrent_callbacks_make_one_user(self, world):
        await asyncio.gather(sign_in(world, self.NOBODY), sign_in(world, self.NOBODY))
        assert len(world.db.users) == 1 and len(world.db.linked_accounts) == 1
