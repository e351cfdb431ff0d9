"""A browser's life with Sésame: register, me, refresh, logout, login, over real HTTP.

The small helpers at the top (register, set_cookies, ...) are shared by the other e2e
modules, which import them from here.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.conftest import client_address

PASSWORD = "correct-horse-battery-42"
SESSION_TTL = 900
REFRESH_TTL = 2_592_000
USER_FIELDS = {
    "id", "email", "emailVerified", "username", "phoneNumber", "phoneVerified",
    "hasPassword", "providers", "profile", "requiredActions", "createdAt",
}
ERROR_KEYS = {"error", "message", "fields", "providers"}
# What must never leak into an error body: tracebacks, framework internals, regexes.
LEAKS = ["Traceback", 'File "', "status_code", "detail", "msgspec", "litestar", "sqlalchemy",
         "asyncpg", "$.", "`", "[^", "\\s", "\\d", "(?:", "{1,", "Expected"]


# --- helpers -------------------------------------------------------------------------------

async def register(client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra):
    return await client.post("/auth/register", json={"email": email, "password": password, **extra})


async def login(client: httpx.AsyncClient, identifier: str, password: str = PASSWORD):
    body = {"emailOrUsername": identifier, "password": password}
    return await client.post("/auth/login", json=body)


def set_cookies(response: httpx.Response) -> dict[str, dict]:
    """Set-Cookie headers as {name: {"value": ..., "path": ..., "httponly": True, ...}}."""
    cookies: dict[str, dict] = {}
    for header in response.headers.get_list("set-cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = name_value.partition("=")
        assert name not in cookies, f"{name} set twice in one response: {header}"
        cookie: dict = {"value": value.strip('"')}
        for attribute in attributes:
            key, has_value, attribute_value = attribute.partition("=")
            cookie[key.lower()] = attribute_value if has_value else True
        cookies[name] = cookie
    return cookies


def session_cookies(response: httpx.Response) -> tuple[str, str]:
    """Check both auth cookies carry the contract's exact attributes; return their values."""
    cookies = set_cookies(response)
    assert set(cookies) == {"sid", "refresh_token"}, response.headers.get_list("set-cookie")
    sid, refresh = cookies["sid"], cookies["refresh_token"]
    for cookie in (sid, refresh):
        assert cookie["httponly"] is True
        assert cookie["samesite"].lower() == "lax"
        assert "secure" not in cookie  # APP_ENV=development
        assert "domain" not in cookie  # no COOKIE_DOMAIN configured
        assert len(cookie["value"]) >= 43  # 256 bits, base64url
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cookie["value"])
    assert sid["path"] == "/"
    assert sid["max-age"] == str(SESSION_TTL)
    assert refresh["path"] == "/auth"
    assert REFRESH_TTL - 60 <= int(refresh["max-age"]) <= REFRESH_TTL
    assert sid["value"] != refresh["value"]
    return sid["value"], refresh["value"]


def assert_cleared(response: httpx.Response, *names: str) -> None:
    """Each named cookie is cleared with the Path it was set with and Max-Age=0."""
    cookies = set_cookies(response)
    paths = {"sid": "/", "refresh_token": "/auth"}
    assert set(cookies) == set(names), response.headers.get_list("set-cookie")
    for name in names:
        assert cookies[name]["value"] == ""
        assert cookies[name]["max-age"] == "0"
        assert cookies[name]["path"] == paths[name]
        assert cookies[name]["httponly"] is True


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """A contract error: exact status and code, a human message, nothing internal."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip()
    assert set(body) <= ERROR_KEYS, body
    for leak in LEAKS:
        assert leak not in response.text, f"{leak!r} leaked in {response.text}"
    return body


def fresh_client(server: str, cookie: str | None = None) -> httpx.AsyncClient:
    """Another browser: its own address, an empty cookie jar, optionally a raw Cookie header."""
    headers = {"X-Forwarded-For": client_address()}
    if cookie is not None:
        headers["Cookie"] = cookie
    return httpx.AsyncClient(base_url=server, timeout=30, headers=headers)


async def me_with_sid(server: str, sid: str) -> httpx.Response:
    async with fresh_client(server, f"sid={sid}") as http:
        return await http.get("/auth/me")


async def refresh_with(server: str, refresh_token: str) -> httpx.Response:
    async with fresh_client(server, f"refresh_token={refresh_token}") as http:
        return await http.post("/auth/refresh")


def assert_user(user: dict, *, email: str, username=None, firstname=None, lastname=None) -> None:
    """Every field of the contract's User, and nothing else."""
    assert set(user) == USER_FIELDS, user
    assert uuid.UUID(user["id"]).version == 7
    assert user["email"] == email.lower()
    assert user["emailVerified"] is False
    assert user["username"] == username
    assert user["phoneNumber"] is None
    assert user["phoneVerified"] is False
    assert user["hasPassword"] is True
    assert user["providers"] == []
    assert user["profile"] == {
        "firstname": firstname, "lastname": lastname, "photo": None, "locale": None
    }
    complete = bool(firstname and lastname)
    assert user["requiredActions"] == ([] if complete else ["complete_profile"]) + ["verify_email"]
    assert re.search(r"(Z|\+00:00)$", user["createdAt"]), user["createdAt"]
    created = datetime.fromisoformat(user["createdAt"].replace("Z", "+00:00"))
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=2)


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
    assert not client.cookies  # the browser dropped both

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
