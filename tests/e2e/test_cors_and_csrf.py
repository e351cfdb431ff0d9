"""The browser's view: the Next.js origin may call the API with credentials, any other origin
may not, and a state-changing request from a foreign page never reaches a handler."""

import pytest

from tests.e2e.conftest import FRONTEND
from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    me_with_sid,
    register,
    session_cookies,
    set_cookies,
)

EVIL = "https://evil.example"


def preflight(method: str = "POST", origin: str = FRONTEND, headers: str = "content-type") -> dict:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/refresh", "/auth/logout"])
async def test_a_json_preflight_from_the_frontend_succeeds(client, path):
    response = await client.options(path, headers=preflight())
    assert 200 <= response.status_code < 300, (response.status_code, response.text)
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"].upper()
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert set_cookies(response) == {}


async def test_a_credentialed_get_from_the_frontend_may_be_read(client, new_email):
    assert (await register(client, new_email())).status_code == 201
    response = await client.get("/auth/me", headers={"Origin": FRONTEND})
    assert response.status_code == 200
    assert response.json()["user"] is not None
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "origin" in response.headers.get("vary", "").lower()
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_a_post_from_the_frontend_gets_cors_headers_and_cookies(client, new_email):
    response = await client.post(
        "/auth/register",
        json={"email": new_email(), "password": PASSWORD},
        headers={"Origin": FRONTEND},
    )
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    session_cookies(response)


@pytest.mark.parametrize("origin", [EVIL, "null"])
async def test_a_preflight_from_another_origin_is_403_forbidden_origin(client, origin):
    response = await client.options("/auth/login", headers=preflight(origin=origin))
    assert_error(response, 403, "forbidden_origin")
    assert "access-control-allow-origin" not in response.headers
    assert set_cookies(response) == {}


async def test_a_preflight_may_send_a_request_id(client):
    response = await client.options(
        "/auth/login", headers=preflight(headers="content-type,x-request-id")
    )
    assert response.status_code in (200, 204), response.text
    assert "x-request-id" in response.headers["access-control-allow-headers"].lower()


async def test_a_preflight_for_a_refused_method_or_header_is_a_json_400(client):
    for headers in (preflight(method="PUT"), preflight(headers="x-evil")):
        response = await client.options("/auth/login", headers=headers)
        assert_error(response, 400, "invalid_request")
        assert "access-control-allow-origin" not in response.headers


async def test_a_get_from_another_origin_carries_no_cors_grant(client, new_email):
    assert (await register(client, new_email())).status_code == 201
    response = await client.get("/auth/me", headers={"Origin": EVIL})
    assert response.status_code == 200  # a GET is answered; the browser just may not read it
    assert "access-control-allow-origin" not in response.headers


async def test_a_lookalike_origin_is_not_the_frontend(client):
    for origin in ("http://localhost:3000.evil.example", "http://localhost:30000",
                   "https://localhost:3000", "http://evil.localhost:3000"):
        response = await client.options("/auth/login", headers=preflight(origin=origin))
        assert_error(response, 403, "forbidden_origin")
        assert response.headers.get("access-control-allow-origin") != origin
        denied = await client.post(
            "/auth/login", json={"emailOrUsername": "a@example.com", "password": PASSWORD},
            headers={"Origin": origin},
        )
        assert_error(denied, 403, "forbidden_origin")


async def test_login_from_another_origin_is_403_and_signs_nobody_in(client, new_email):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    client.cookies.clear()

    response = await client.post(
        "/auth/login",
        json={"emailOrUsername": email, "password": PASSWORD},
        headers={"Origin": EVIL},
    )
    assert_error(response, 403, "forbidden_origin")
    assert set_cookies(response) == {}
    assert response.headers.get("access-control-allow-origin") != EVIL


async def test_register_from_another_origin_is_403_and_creates_nobody(client, new_email):
    email = new_email()
    response = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD}, headers={"Origin": EVIL}
    )
    assert_error(response, 403, "forbidden_origin")
    assert set_cookies(response) == {}
    assert (await register(client, email)).status_code == 201


@pytest.mark.parametrize("origin", [EVIL, "null"])  # null: a sandboxed frame, a file: page
@pytest.mark.parametrize("path", ["/auth/logout", "/auth/refresh"])
async def test_a_cross_site_post_cannot_touch_the_session(client, server, new_email, path, origin):
    sid, refresh = session_cookies(await register(client, new_email()))
    async with fresh_client(server, f"sid={sid}; refresh_token={refresh}") as browser:
        response = await browser.post(path, headers={"Origin": origin})
    assert_error(response, 403, "forbidden_origin")
    assert set_cookies(response) == {}
    assert (await me_with_sid(server, sid)).json()["user"] is not None  # still signed in
    assert (await client.post("/auth/refresh")).status_code == 200  # token not consumed


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
     "multipart/form-data; boundary=x"],
)
async def test_json_sent_as_a_form_content_type_is_400(client, new_email, content_type):
    """What an HTML form (or a no-preflight fetch) can send cross-site is refused."""
    email = new_email()
    body = f'{{"email": "{email}", "password": "{PASSWORD}"}}'
    response = await client.post(
        "/auth/register", content=body.encode(), headers={"Content-Type": content_type}
    )
    error = assert_error(response, 400, "invalid_request")
    assert isinstance(error.get("fields"), list)
    assert set_cookies(response) == {}
    assert (await register(client, email)).status_code == 201


async def test_json_without_a_content_type_is_400(client, new_email):
    email = new_email()
    body = f'{{"emailOrUsername": "{email}", "password": "{PASSWORD}"}}'
    response = await client.post("/auth/login", content=body.encode())
    assert "content-type" not in response.request.headers
    assert_error(response, 400, "invalid_request")
    assert set_cookies(response) == {}
