"""Sign in with Facebook and GitHub (plain OAuth 2 with a profile API), and with an OpenID
Connect provider configured only by environment ("acme"), end to end against fakes on loopback.
The sign-in rules are Google's (test_google_sign_in); these check what differs by provider."""

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_google_sign_in import count, login_error, me
from tests.support.http import PASSWORD, assert_error, fresh_client, login, prove_email, register, set_cookies


def finish(provider: str, linked: bool = False) -> str:
    return f"{FRONTEND}/auth/finish?from=social&provider={provider}" + ("&linked=true" if linked else "")


def facebook_person(email: str | None = "auto", **fields):
    subject = str(uuid.uuid4().int % 10**15)
    profile = {"first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace",
               "picture": {"data": {"url": "https://img.example/fb.jpg", "is_silhouette": False}}, **fields}
    if email:
        profile["email"] = f"fb-{subject}@example.com" if email == "auto" else email
    return subject, profile


def github_person(email: str | None = None, verified: bool = True, **fields):
    subject = str(uuid.uuid4().int % 10**9)
    address = email or f"gh-{subject}@example.com"
    emails = [{"email": f"old-{address}", "primary": False, "verified": True, "visibility": None},
              {"email": address, "primary": True, "verified": verified, "visibility": "private"}]
    return subject, {"name": "Grace Hopper", "avatar_url": "https://img.example/gh.png", "emails": emails, **fields}


async def go_to(client, fake, provider, subject, profile, **params) -> str:
    """GET /auth/<provider>, the provider answers at once; returns the callback URL."""
    fake.login_as(subject, **profile)
    start = await client.get(f"/auth/{provider}", params=params)
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as at_provider:
        answer = await at_provider.get(start.headers["location"])
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def sign_in(client, fake, provider, subject, profile, **params) -> httpx.Response:
    return await client.get(await go_to(client, fake, provider, subject, profile, **params))


async def test_a_new_facebook_user_is_signed_in_with_an_unverified_email(client, facebook):
    subject, profile = facebook_person()
    start = await client.get("/auth/facebook")
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert start.headers["location"].startswith(facebook.authorize_url + "?")
    assert sent["scope"] == ["email public_profile"] and sent["state"] and sent["client_id"] == ["fb-e2e"]
    assert "code_challenge" not in sent  # Facebook's classic flow has no PKCE
    response = await sign_in(client, facebook, "facebook", subject, profile)
    assert (response.status_code, response.headers["location"]) == (302, finish("facebook"))
    assert set_cookies(response)["sid"]["value"]
    user = await me(client)
    assert (user["email"], user["emailVerified"], user["providers"]) == (profile["email"], False, ["facebook"])
    assert user["profile"]["photo"] == "https://img.example/fb.jpg"
    assert (user["profile"]["firstname"], user["profile"]["lastname"]) == ("Ada", "Lovelace")
    assert user["requiredActions"] == ["verify_email"]  # Facebook does not vouch for its emails
    assert facebook.profile_requests[-1]["fields"] == "id,first_name,last_name,name,email,picture"


async def test_a_new_github_user_gets_the_primary_verified_email(client, github):
    subject, profile = github_person()
    start = await client.get("/auth/github")
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["scope"] == ["read:user user:email"]
    response = await sign_in(client, github, "github", subject, profile)
    assert response.headers["location"] == finish("github")
    user = await me(client)
    primary = profile["emails"][1]["email"]
    assert (user["email"], user["emailVerified"], user["providers"]) == (primary, True, ["github"])
    assert (user["profile"]["firstname"], user["profile"]["lastname"]) == ("Grace", "Hopper")
    assert user["requiredActions"] == []
    assert github.token_requests[-1]["code_verifier"]  # PKCE at the exchange


async def test_a_returning_github_user_gets_the_same_account(client, github, db):
    subject, profile = github_person()
    await sign_in(client, github, "github", subject, profile)
    user_id = (await me(client))["id"]
    again = await sign_in(client, github, "github", subject, profile)
    assert again.headers["location"] == finish("github")
    assert (await me(client))["id"] == user_id
    assert await count(db, "accounts WHERE provider = 'github' AND provider_account_id = $1", subject) == 1


async def test_link_facebook_while_signed_in(client, facebook, new_email, mail):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    subject, profile = facebook_person()
    response = await sign_in(client, facebook, "facebook", subject, profile, link="true")
    assert response.headers["location"] == finish("facebook", linked=True)
    user = await me(client)
    assert (user["email"], user["providers"], user["hasPassword"]) == (email, ["facebook"], True)


async def test_a_facebook_user_without_an_email_adds_one_through_the_change_link(client, facebook, mail, new_email, db):
    subject, profile = facebook_person(email=None)
    response = await sign_in(client, facebook, "facebook", subject, profile)
    assert response.headers["location"] == finish("facebook")
    user = await me(client)
    assert (user["email"], user["emailVerified"]) == (None, False)
    assert user["requiredActions"] == ["add_email"]
    assert await db.fetchval("SELECT email FROM users WHERE id = $1", uuid.UUID(user["id"])) is None
    email = new_email()
    assert (await client.post("/auth/email/change", json={"email": email})).status_code == 202
    link = await mail.wait_for(to=email)
    opened = await client.post("/auth/verify-email", json={"token": link.token})
    assert opened.status_code == 200, opened.text
    user = await me(client)
    assert (user["email"], user["emailVerified"], user["requiredActions"]) == (email, True, [])


async def test_a_github_user_without_an_email_is_never_linked_to_another_account(client, github, new_email):
    subject, profile = github_person(emails=[])
    await sign_in(client, github, "github", subject, profile)
    user = await me(client)
    assert (user["email"], user["requiredActions"]) == (None, ["add_email"])
    other_subject, other = github_person(emails=[])
    async with httpx.AsyncClient(base_url=str(client.base_url)) as browser:
        await sign_in(browser, github, "github", other_subject, other)
        assert (await me(browser))["id"] != user["id"]


@pytest.mark.parametrize("provider", ["facebook", "github"])
async def test_an_unverified_email_of_an_existing_account_is_refused(client, facebook, github, db, new_email, provider):
    email = new_email()
    await register(client, email)
    subject, profile = (facebook_person(email=email) if provider == "facebook"
                        else github_person(email=email, verified=False))
    async with httpx.AsyncClient(base_url=str(client.base_url)) as browser:
        fake = facebook if provider == "facebook" else github
        assert login_error(await sign_in(browser, fake, provider, subject, profile)) == "email_not_verified"
    assert await count(db, "accounts WHERE provider_account_id = $1", subject) == 0
    assert (await login(client, email, PASSWORD)).status_code == 200


@pytest.mark.parametrize("provider", ["facebook", "github"])
async def test_denied_consent(client, facebook, github, db, provider):
    fake = facebook if provider == "facebook" else github
    subject, profile = facebook_person() if provider == "facebook" else github_person()
    fake.deny_next()
    assert login_error(await sign_in(client, fake, provider, subject, profile)) == "access_denied"
    assert await count(db, "accounts WHERE provider_account_id = $1", subject) == 0


@pytest.mark.parametrize("provider", ["facebook", "github"])
async def test_a_replayed_callback_is_refused(client, facebook, github, provider):
    fake = facebook if provider == "facebook" else github
    subject, profile = facebook_person() if provider == "facebook" else github_person()
    callback = await go_to(client, fake, provider, subject, profile)
    assert (await client.get(callback)).headers["location"] == finish(provider)
    assert login_error(await client.get(callback)) == "invalid_state"


async def test_graph_refuses_a_wrong_appsecret_proof(client, facebook, db):
    subject, profile = facebook_person()
    callback = await go_to(client, facebook, "facebook", subject, profile)
    facebook.check_next_proof_with("not-the-app-secret")
    assert login_error(await client.get(callback)) == "provider_error"
    assert await count(db, "accounts WHERE provider_account_id = $1", subject) == 0


async def test_an_oidc_provider_configured_only_by_environment(client, acme, db, new_email):
    sub = f"acme-{uuid.uuid4().hex[:12]}"
    claims = {"email": f"{sub}@corp.example", "email_verified": True, "given_name": "Ada", "family_name": "L"}
    start = await client.get("/auth/acme")
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["client_id"] == ["acme-e2e"]
    acme.login_as(sub, **claims)
    async with httpx.AsyncClient() as at_acme:
        callback = (await at_acme.get(start.headers["location"])).headers["location"]
    assert urlsplit(callback).path == "/auth/acme/callback"
    assert (await client.get(callback)).headers["location"] == finish("acme")
    user = await me(client)
    # ACME_TRUST_EMAIL_VERIFIED is not set: its email_verified claim is not believed.
    assert (user["email"], user["emailVerified"], user["providers"]) == (claims["email"], False, ["acme"])
    email = new_email()
    async with httpx.AsyncClient(base_url=str(client.base_url)) as owner:
        await register(owner, email)
        acme.login_as(f"acme-{uuid.uuid4().hex[:12]}", email=email, email_verified=True)
        start = await owner.get("/auth/acme")
        async with httpx.AsyncClient() as at_acme:
            callback = (await at_acme.get(start.headers["location"])).headers["location"]
        assert login_error(await owner.get(callback)) == "email_not_verified"


async def test_providers_lists_what_is_configured(client):
    answer = await client.get("/auth/providers")
    assert answer.status_code == 200
    assert answer.json() == {
        "providers": ["google", "facebook", "github", "acme"],
        "displayNames": {"google": "Google", "facebook": "Facebook", "github": "GitHub", "acme": "Acme SSO"},
    }


async def test_an_unconfigured_provider_answers_404(client):
    assert_error(await client.get("/auth/corp"), 404, "not_found")
    assert_error(await client.get("/auth/corp/callback", params={"state": "s", "code": "c"}), 404, "not_found")


@pytest.mark.parametrize("provider", ["facebook", "github"])
async def test_an_unverified_email_is_linked_by_the_password_login_in_that_browser_only(
    client, server, facebook, github, db, new_email, provider, mail
):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    fake = facebook if provider == "facebook" else github
    subject, profile = (facebook_person(email=email) if provider == "facebook"
                        else github_person(email=email, verified=False))
    refused = await sign_in(client, fake, provider, subject, profile)
    pending = f"{FRONTEND}/auth/login?error=email_not_verified&provider={provider}&pending=link"
    assert (refused.status_code, refused.headers["location"]) == (302, pending)

    async with fresh_client(server) as other_browser:  # the right password, but not that browser
        elsewhere = await login(other_browser, email, PASSWORD)
    assert elsewhere.status_code == 200 and "linkedProvider" not in elsewhere.json()
    assert await count(db, "accounts WHERE provider_account_id = $1", subject) == 0

    here = await login(client, email, PASSWORD)
    assert here.status_code == 200 and here.json()["linkedProvider"] == provider
    assert await count(db, "accounts WHERE provider_account_id = $1", subject) == 1
    assert provider in (await me(client))["providers"]
