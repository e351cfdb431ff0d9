"""A browser's life with Sésame: register, me, refresh, logout, login, over real HTTP."""

import uuid

from tests.support.http import (
    PASSWORD,
    assert_cleared,
    assert_error,
    assert_user,
    fresh_client,
    login,
    me_with_sid,
    refresh_with,
    register,
    session_cookies,
    set_cookies,
)


# --- register, me, refresh, logout ---------------------------------------------------------

async def test_register_me_refresh_me_logout_me(client, server, new_email):
    email = new_email().replace("user", "Mixed.Case").upper()
    username = f"Ana_{uuid.uuid4().hex[:8]}"

    registered = await register(client, email, firstname="", lastname="", username=username)
    assert registered.status_code == 201, registered.text
    body = registered.json()
    assert set(body) == {"ok", "user"} and body["ok"] is True
    user = body["user"]
    assert_user(user, email=email, username=username)  # "" means not given
    assert "complete_profile" in user["requiredActions"]
    first_sid, first_refresh = session_cookies(registered)

    me = await client.get("/auth/me")
    assert me.status_code == 200
    assert me.json() == {"user": user}
    assert "set-cookie" not in me.headers

    refreshed = await client.post("/auth/refresh")
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json() == {"ok": True}
    sid, refresh = session_cookies(refreshed)
    assert sid != first_sid and refresh != first_refresh

    me = await client.get("/auth/me")
    assert me.json() == {"user": user}
    assert (await me_with_sid(server, sid)).json() == {"user": user}

    logged_out = await client.post("/auth/logout")
    assert logged_out.status_code == 200
    assert logged_out.json() == {"ok": True}
    assert_cleared(logged_out, "sid", "refresh_token")
    assert set(client.cookies) == {"device"}  # the browser dropped both; it stays a known device

    me = await client.get("/auth/me")
    assert me.status_code == 200 and me.json() == {"user": None}
    for old_sid in (sid, first_sid):  # the whole family is gone, not just this cookie
        me = await me_with_sid(server, old_sid)
        assert me.status_code == 200 and me.json() == {"user": None}
    for old_refresh in (refresh, first_refresh):
        stale = await refresh_with(server, old_refresh)
        assert_error(stale, 401, "invalid_refresh")
        assert_cleared(stale, "refresh_token")


async def test_register_with_full_profile_needs_only_email_verification(client, new_email):
    email = new_email()
    response = await register(client, email, firstname="  Ana ", lastname="Lima")
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert_user(user, email=email, firstname="Ana", lastname="Lima")
    assert user["requiredActions"] == ["verify_email"]
    session_cookies(response)


async def test_register_with_one_name_still_needs_complete_profile(client, new_email):
    email = new_email()
    response = await register(client, email, firstname="Ana", lastname="")
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert_user(user, email=email, firstname="Ana")
    assert user["requiredActions"] == ["complete_profile", "verify_email"]


async def test_me_without_cookie_is_null_not_401(client):
    response = await client.get("/auth/me")
    assert response.status_code == 200
    assert response.json() == {"user": None}
    assert "set-cookie" not in response.headers
    assert "no-store" in response.headers["cache-control"]


async def test_logout_without_cookies_is_ok(client):
    response = await client.post("/auth/logout")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert_cleared(response, "sid", "refresh_token")


async def test_logout_twice_is_ok_and_stays_logged_out(client, server, new_email):
    registered = await register(client, new_email())
    sid, refresh = session_cookies(registered)
    async with fresh_client(server, f"sid={sid}; refresh_token={refresh}") as replaying:
        first = await replaying.post("/auth/logout")
        second = await replaying.post("/auth/logout")
    assert (first.status_code, first.json()) == (200, {"ok": True})
    assert (second.status_code, second.json()) == (200, {"ok": True})
    assert (await client.get("/auth/me")).json() == {"user": None}


async def test_logout_with_only_the_refresh_token_revokes_the_session(client, server, new_email):
    sid, refresh = session_cookies(await register(client, new_email()))
    async with fresh_client(server, f"refresh_token={refresh}") as http:
        logged_out = await http.post("/auth/logout")
    assert (logged_out.status_code, logged_out.json()) == (200, {"ok": True})
    assert (await me_with_sid(server, sid)).json() == {"user": None}
    assert_error(await refresh_with(server, refresh), 401, "invalid_refresh")


async def test_logout_ends_only_this_session(server, new_email):
    email = new_email()
    async with fresh_client(server) as laptop, fresh_client(server) as phone:
        assert (await register(laptop, email)).status_code == 201
        assert (await login(phone, email)).status_code == 200
        assert (await laptop.post("/auth/logout")).status_code == 200
        assert (await laptop.get("/auth/me")).json() == {"user": None}
        assert (await phone.get("/auth/me")).json()["user"]["email"] == email


async def test_registering_in_a_signed_in_browser_switches_to_the_new_account(
    client, server, new_email
):
    first_sid, _ = session_cookies(await register(client, new_email()))
    second_email = new_email()
    second = await register(client, second_email)
    assert second.status_code == 201
    second_sid, _ = session_cookies(second)
    assert second_sid != first_sid
    assert (await client.get("/auth/me")).json()["user"]["email"] == second_email


# --- login ---------------------------------------------------------------------------------

async def test_login_by_email_in_any_case_issues_new_cookies(client, server, new_email):
    email = new_email()
    registered = await register(client, email, firstname="Ana", lastname="Lima")
    register_sid, register_refresh = session_cookies(registered)

    response = await login(client, "  " + email.upper() + " ")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"ok", "user", "profileComplete"}
    assert body["ok"] is True
    assert body["profileComplete"] is True
    assert body["user"] == registered.json()["user"]
    sid, refresh = session_cookies(response)
    assert sid != register_sid and refresh != register_refresh
    assert (await me_with_sid(server, sid)).json() == {"user": body["user"]}


async def test_login_by_username_ignores_case_and_reports_incomplete_profile(client, new_email):
    email = new_email()
    username = f"Bob.{uuid.uuid4().hex[:8]}"
    registered = await register(client, email, username=username, firstname="", lastname="")
    assert registered.status_code == 201
    client.cookies.clear()

    for identifier in (username, username.upper()):
        response = await login(client, identifier)
        assert response.status_code == 200, response.text
        assert response.json()["profileComplete"] is False
        assert response.json()["user"]["username"] == username
        assert "complete_profile" in response.json()["user"]["requiredActions"]
        session_cookies(response)
    assert (await client.get("/auth/me")).json()["user"]["email"] == email


async def test_login_accepts_email_in_place_of_email_or_username(client, new_email):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email
    session_cookies(response)


async def test_wrong_password_and_unknown_email_get_the_same_401(client, new_email):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    client.cookies.clear()

    wrong = await login(client, email, "not-the-password-42")
    unknown = await login(client, new_email(), PASSWORD)
    unknown_username = await login(client, f"nobody_{uuid.uuid4().hex[:8]}", PASSWORD)
    for response in (wrong, unknown, unknown_username):
        assert_error(response, 401, "invalid_credentials")
        assert "sid" not in set_cookies(response)
        assert "refresh_token" not in set_cookies(response)
    assert wrong.json() == unknown.json() == unknown_username.json()
    assert (await client.get("/auth/me")).json() == {"user": None}


# --- planted cookies (session fixation) ----------------------------------------------------

async def test_a_planted_sid_is_ignored_and_replaced_at_login(server, new_email):
    email = new_email()
    async with fresh_client(server) as owner:
        assert (await register(owner, email)).status_code == 201

    planted = "attacker-chosen-id"
    assert (await me_with_sid(server, planted)).json() == {"user": None}
    async with fresh_client(server, f"sid={planted}; refresh_token={planted}") as victim:
        assert (await victim.get("/auth/me")).json() == {"user": None}
        response = await login(victim, email)
    assert response.status_code == 200
    sid, refresh = session_cookies(response)
    assert planted not in (sid, refresh)
    assert (await me_with_sid(server, planted)).json() == {"user": None}
    assert (await me_with_sid(server, sid)).json()["user"]["email"] == email


async def test_a_well_formed_but_unissued_sid_is_ignored(client, server, new_email):
    sid, _ = session_cookies(await register(client, new_email()))
    forged = sid[:-4] + ("AAAA" if not sid.endswith("AAAA") else "BBBB")
    assert (await me_with_sid(server, forged)).json() == {"user": None}
    # the refresh token is not a sid either
    refresh = client.cookies.get("refresh_token")
    assert refresh and (await me_with_sid(server, refresh)).json() == {"user": None}


# --- two cookies of one name: the first, most specific, wins --------------------------------
# A sibling subdomain can set `sid` for the parent domain; the browser then sends both, ours
# (more specific) first (RFC 6265 5.4). Taking the last let the planted one win.

async def test_of_two_sid_cookies_the_first_is_used(client, server, new_email):
    email = new_email()
    sid, _ = session_cookies(await register(client, email))
    planted = "planted-for-the-parent-domain"
    async with fresh_client(server, f"sid={sid}; sid={planted}") as browser:
        assert (await browser.get("/auth/me")).json()["user"]["email"] == email
    async with fresh_client(server, f"sid={planted}; sid={sid}") as browser:
        assert (await browser.get("/auth/me")).json() == {"user": None}


async def test_of_two_refresh_cookies_the_first_is_used(client, server, new_email):
    _, refresh = session_cookies(await register(client, new_email()))
    async with fresh_client(server, f"refresh_token={refresh}; refresh_token=planted") as browser:
        response = await browser.post("/auth/refresh")
    assert response.status_code == 200, response.text
    session_cookies(response)
