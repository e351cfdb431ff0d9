"""What an e2e test does as a browser would: register, read Set-Cookie, check errors."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.e2e_fixtures import client_address

PASSWORD = "correct-horse-battery-42"
SESSION_TTL = 900
REFRESH_TTL = 2_592_000
DEVICE_MAX_AGE = 31_536_000  # one year
DEVICE_VALUE = re.compile(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}")  # user id, nonce, mac
USER_FIELDS = {
    "id", "email", "emailVerified", "username", "phoneNumber", "phoneVerified",
    "hasPassword", "providers", "profile", "requiredActions", "createdAt", "mfaEnabled",
}
ERROR_KEYS = {"error", "message", "fields", "providers", "methods"}
# What must never leak into an error body: tracebacks, framework internals, regexes.
LEAKS = ["Traceback", 'File "', "status_code", "detail", "msgspec", "litestar", "sqlalchemy",
         "asyncpg", "$.", "`", "[^", "\\s", "\\d", "(?:", "{1,", "Expected"]


# --- helpers -------------------------------------------------------------------------------

async def register(client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra):
    return await client.post("/auth/register", json={"email": email, "password": password, **extra})


async def login(client: httpx.AsyncClient, identifier: str, password: str = PASSWORD):
    body = {"emailOrUsername": identifier, "password": password}
    return await client.post("/auth/login", json=body)


async def prove_email(client: httpx.AsyncClient, mail, email: str) -> None:
    """Open the verification link mailed to `email`, as its owner would: the account may then
    gain sign-in methods and recovery channels."""
    message = await mail.wait_for(to=email)
    while not any("/verify-email?" in link for link in message.links):
        message = await mail.wait_for(to=email)
    answer = await client.post("/auth/verify-email", json={"token": message.token})
    assert answer.status_code == 200, answer.text


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
    """Check both auth cookies carry the contract's exact attributes; return their values.
    A sign-in may set the `device` cookie beside them: then it is checked too (device_cookie)."""
    cookies = set_cookies(response)
    assert set(cookies) - {"device"} == {"sid", "refresh_token"}, response.headers.get_list("set-cookie")
    device_cookie(response)
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


def device_cookie(response: httpx.Response) -> str | None:
    """The `device` cookie a sign-in set, checked against the contract's attributes (None when
    the response sets none: the browser keeps the one it has)."""
    cookie = set_cookies(response).get("device")
    if cookie is None:
        return None
    assert cookie["httponly"] is True
    assert cookie["path"] == "/auth"
    assert cookie["max-age"] == str(DEVICE_MAX_AGE)
    assert cookie["samesite"].lower() == "lax"
    assert "secure" not in cookie and "domain" not in cookie  # APP_ENV=development, no COOKIE_DOMAIN
    assert DEVICE_VALUE.fullmatch(cookie["value"]), cookie["value"]
    return cookie["value"]


def assert_cleared(response: httpx.Response, *names: str) -> None:
    """Each named cookie is cleared with the Path it was set with and Max-Age=0."""
    cookies = set_cookies(response)
    paths = {"sid": "/", "refresh_token": "/auth", "mfa_challenge": "/auth", "pending_link": "/auth"}
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
    assert user["mfaEnabled"] is False
    assert user["profile"] == {
        "firstname": firstname, "lastname": lastname, "photo": None, "locale": None
    }
    complete = bool(firstname and lastname)
    assert user["requiredActions"] == ([] if complete else ["complete_profile"]) + ["verify_email"]
    assert re.search(r"(Z|\+00:00)$", user["createdAt"]), user["createdAt"]
    created = datetime.fromisoformat(user["createdAt"].replace("Z", "+00:00"))
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=2)
