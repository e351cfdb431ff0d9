"""Sign in with Google, end to end: the app, a browser-like client and a fake Google
(real RS256 ID tokens, PKCE enforced) on loopback. Every refusal leaves the database as it was."""

import asyncio
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import FRONTEND
from tests.support.http import (
    PASSWORD, assert_error, login, me_with_sid, prove_email, register, session_cookies, set_cookies,
)
from tests.support.server import running_server

FINISH = f"{FRONTEND}/auth/finish?from=social&provider=google"


def person(verified=True, **claims):
    sub = f"g-{uuid.uuid4().hex[:12]}"
    email = claims.pop("email", f"{sub}@gmail.example")
    return sub, {"email": email, "email_verified": verified, "given_name": "Ada",
                 "family_name": "Lovelace", "picture": "https://img.example/ada.png", **claims}


async def go_to_google(client, idp, sub, claims, **params):
    """GET /auth/google, then Google answers at once; returns the callback URL."""
    idp.login_as(sub, **claims)
    start = await client.get("/auth/google", params=params)
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as at_google:  # Google's own site: none of our cookies
        answer = await at_google.get(start.headers["location"])
    assert answer.status_code == 302
    return answer.headers["location"]


async def sign_in_with_google(client, idp, sub, claims, **params) -> httpx.Response:
    return await client.get(await go_to_google(client, idp, sub, claims, **params))


def login_error(response: httpx.Response) -> str:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{FRONTEND}/auth/login?"), location
    assert "sid" not in set_cookies(response)
    return parse_qs(urlsplit(location).query)["error"][0]


async def me(client) -> dict:
    return (await client.get("/auth/me")).json()["user"]


async def count(db, sql, *args) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {sql}", *args)


async def test_a_new_google_user_is_created_and_signed_in(client, idp):
    sub, claims = person()
    start = await client.get("/auth/google")
    flow = set_cookies(start)["google_flow"]
    assert flow["httponly"] and flow["path"] == "/auth/google" and flow["max-age"] == "600"
    assert flow["samesite"].lower() == "lax"
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"] and sent["nonce"]
    assert (sent["access_type"], sent["prompt"], sent["client_id"]) == (["offline"], ["select_account"], ["sesame-e2e"])

    finish = await sign_in_with_google(client, idp, sub, claims)
    assert (finish.status_code, finish.headers["location"]) == (302, FINISH)
    cookies = set_cookies(finish)
    assert cookies["sid"]["value"] and cookies["refresh_token"]["value"]
    assert cookies["google_flow"]["max-age"] == "0"
    user = await me(client)
    assert user["providers"] == ["google"] and user["email"] == claims["email"]
    assert (user["emailVerified"], user["hasPassword"]) == (True, False)
    assert user["profile"] == {"firstname": "Ada", "lastname": "Lovelace",
                               "photo": "https://img.example/ada.png", "locale": None}
    assert user["requiredActions"] == []


async def test_a_returning_user_gets_the_same_account_and_new_cookies(client, idp, db):
    sub, claims = person()
    first = await sign_in_with_google(client, idp, sub, claims)
    user_id = (await me(client))["id"]
    second = await sign_in_with_google(client, idp, sub, claims)
    assert second.headers["location"] == FINISH
    assert (await me(client))["id"] == user_id
    assert set_cookies(first)["sid"]["value"] != set_cookies(second)["sid"]["value"]
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1
    stored = await db.fetchrow("SELECT access_token, id_token FROM accounts WHERE provider_account_id = $1", sub)
    assert stored["access_token"].startswith("v1:") and "." not in stored["id_token"][3:]  # encrypted


async def test_a_google_only_account_cannot_log_in_with_a_password(client, idp):
    sub, claims = person()
    await sign_in_with_google(client, idp, sub, claims)
    answer = await login(client, claims["email"], PASSWORD)
    assert assert_error(answer, 401, "social_only")["providers"] == ["google"]


async def test_link_while_signed_in_then_unlink(client, idp, new_email, mail):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    sub, claims = person(email=f"other-{email}")
    before = session_cookies_of(client)
    finish = await sign_in_with_google(client, idp, sub, claims, link="true")
    assert finish.headers["location"] == FINISH + "&linked=true"
    assert session_cookies_of(client) == before  # the browser keeps its session
    user = await me(client)
    assert (user["email"], user["providers"], user["hasPassword"]) == (email, ["google"], True)
    accounts = (await client.get("/auth/accounts")).json()
    assert [a["provider"] for a in accounts["accounts"]] == ["google"] and accounts["hasPassword"]
    assert accounts["accounts"][0]["linkedAt"].endswith("Z")
    assert (await client.delete("/auth/accounts/google")).json() == {"ok": True}
    assert (await me(client))["providers"] == []


def session_cookies_of(client) -> tuple:
    return client.cookies.get("sid"), client.cookies.get("refresh_token", path="/auth")


async def test_linking_someone_elses_google_changes_nothing(client, server, idp, db, new_email):
    sub, claims = person()
    await sign_in_with_google(client, idp, sub, claims)
    async with httpx.AsyncClient(base_url=server) as other:
        await register(other, new_email())
        refused = await sign_in_with_google(other, idp, sub, claims, link="true")
        assert login_error(refused) == "account_already_linked"
        assert (await me(other))["providers"] == []
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1


async def test_a_verified_google_email_takes_over_an_unverified_local_account(client, server, idp, new_email):
    email = new_email()
    async with httpx.AsyncClient(base_url=server) as squatter:
        sid, _ = session_cookies(await register(squatter, email))
    sub, claims = person(email=email)
    finish = await sign_in_with_google(client, idp, sub, claims)
    assert finish.headers["location"] == FINISH
    user = await me(client)
    assert (user["email"], user["emailVerified"], user["hasPassword"]) == (email, True, False)
    assert user["providers"] == ["google"]
    assert (await me_with_sid(server, sid)).json() == {"user": None}  # squatter's session is gone
    assert_error(await login(client, email, PASSWORD), 401, "social_only")
    events = (await client.get("/auth/events")).json()["events"]
    assert {("email_verified", "google"), ("password_removed", "google"), ("provider_linked", "google")} <= {
        (e["kind"], e["detail"].get("provider")) for e in events}


async def test_an_unverified_google_email_is_refused_for_an_existing_account(client, idp, db, new_email):
    email = new_email()
    await register(client, email)
    sub, claims = person(verified=False, email=email)
    assert login_error(await sign_in_with_google(client, idp, sub, claims)) == "email_not_verified"
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0
    assert (await login(client, email, PASSWORD)).status_code == 200


async def test_a_replayed_callback_is_refused(client, idp, db):
    sub, claims = person()
    callback = await go_to_google(client, idp, sub, claims)
    assert (await client.get(callback)).headers["location"] == FINISH
    assert login_error(await client.get(callback)) == "invalid_state"


async def test_a_callback_in_another_browser_is_refused_and_burns_the_state(client, server, idp, db):
    sub, claims = person()
    callback = await go_to_google(client, idp, sub, claims)
    async with httpx.AsyncClient() as attacker:
        assert login_error(await attacker.get(callback)) == "invalid_state"
    assert login_error(await client.get(callback)) == "invalid_state"
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0


@pytest.mark.parametrize("tamper", [{"nonce": "not-the-nonce"}, {"aud": "someone-else"},
                                    {"exp_offset": -600}, {"sign_with_unknown_key": True},
                                    {"token_error": "server_error"}])
async def test_a_token_that_does_not_verify_is_a_provider_error(client, idp, db, tamper):
    sub, claims = person()
    callback = await go_to_google(client, idp, sub, claims)
    idp.tamper_next(**tamper)
    assert login_error(await client.get(callback)) == "provider_error"
    assert await count(db, "users WHERE email = $1", claims["email"]) == 0


async def test_denied_consent(client, idp, db):
    sub, claims = person()
    idp.deny_next()
    assert login_error(await sign_in_with_google(client, idp, sub, claims)) == "access_denied"
    assert await count(db, "users WHERE email = $1", claims["email"]) == 0


async def test_the_last_way_to_sign_in_cannot_be_unlinked(client, idp):
    sub, claims = person()
    await sign_in_with_google(client, idp, sub, claims)
    assert_error(await client.delete("/auth/accounts/google"), 409, "last_login_method")
    assert_error(await client.delete("/auth/accounts/github"), 404, "not_linked")
    assert (await me(client))["providers"] == ["google"]
    async with httpx.AsyncClient(base_url=str(client.base_url)) as anonymous:
        assert_error(await anonymous.get("/auth/accounts"), 401, "not_authenticated")
        assert_error(await anonymous.delete("/auth/accounts/google"), 401, "not_authenticated")


@pytest.mark.parametrize(("redirect", "kept"), [("/settings?tab=accounts", True),
                                                ("https://evil.example/x", False), ("//evil.example", False)])
async def test_only_frontend_paths_survive_as_redirect(client, idp, redirect, kept):
    sub, claims = person()
    finish = await sign_in_with_google(client, idp, sub, claims, redirect=redirect)
    query = parse_qs(urlsplit(finish.headers["location"]).query)
    assert query.get("redirect") == ([redirect] if kept else None)


async def test_two_simultaneous_callbacks_for_one_new_person_make_one_user(server, idp, db):
    sub, claims = person()
    async with httpx.AsyncClient(base_url=server) as a, httpx.AsyncClient(base_url=server) as b:
        callbacks = [await go_to_google(a, idp, sub, claims), await go_to_google(b, idp, sub, claims)]
        finishes = await asyncio.gather(a.get(callbacks[0]), b.get(callbacks[1]))
    assert [f.headers["location"] for f in finishes] == [FINISH, FINISH]
    assert await count(db, "users WHERE email = $1", claims["email"]) == 1
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1


async def test_without_configuration_google_answers_503_and_the_others_404(database_url):
    env = {"DATABASE_URL": database_url, "RUN_MIGRATIONS": "false", "GOOGLE_CLIENT_ID": ""}
    with running_server(env) as bare:
        async with httpx.AsyncClient(base_url=bare) as client:
            assert_error(await client.get("/auth/google"), 503, "provider_not_configured")
            assert_error(await client.get("/auth/facebook"), 404, "not_found")
            assert_error(await client.get("/auth/github/callback"), 404, "not_found")
            assert (await client.get("/auth/providers")).json() == {"providers": [], "displayNames": {}}


@pytest.mark.parametrize("query", [{"state": "s" * 513, "code": "c"}, {"state": "s", "code": "c" * 4097},
                                   {"state": "s" * 8000}, {"error": "e" * 257, "state": "s"}])
async def test_an_over_long_callback_parameter_is_the_invalid_state_redirect(client, query):
    """A browser navigation: never a JSON page, whatever the query."""
    response = await client.get("/auth/google/callback", params=query)
    assert login_error(response) == "invalid_state"


async def test_of_two_flow_cookies_the_first_is_used(client, idp):
    sub, claims = person()
    callback = await go_to_google(client, idp, sub, claims)
    flow = client.cookies.get("google_flow")
    client.cookies.clear()
    response = await client.get(callback, headers={"Cookie": f"google_flow={flow}; google_flow=planted"})
    assert (response.status_code, response.headers["location"]) == (302, FINISH)
