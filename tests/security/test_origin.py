"""CSRF: no state-changing route answers a foreign page, the form login needs the
frontend's Origin, and CORS preflights are granted to the frontend only."""

import uuid

import httpx
import pytest

from tests.support.e2e_fixtures import FRONTEND
from tests.support.http import PASSWORD, assert_error, fresh_client, register, set_cookies

EVIL = "https://evil.example"
UNSAFE = ("post", "put", "patch", "delete")


async def unsafe_routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    """Every state-changing route the server documents, path parameters filled in."""
    schema = (await client.get("/schema/openapi.json")).json()
    fill = {"{provider}": "google", "{id}": str(uuid.uuid4())}
    routes = []
    for path, operations in schema["paths"].items():
        for template, value in fill.items():
            path = path.replace(template, value)
        routes += [(method.upper(), path) for method in operations if method in UNSAFE]
    return routes


def preflight(origin: str) -> dict:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"}


@pytest.mark.parametrize("origin", [EVIL, "null"])
async def test_every_unsafe_route_refuses_a_foreign_or_null_origin(client, new_email, origin):
    assert (await register(client, new_email())).status_code == 201  # signed in: the worst case
    routes = await unsafe_routes(client)
    assert len(routes) >= 15, routes
    for method, path in routes:
        answer = await client.request(method, path, json={}, headers={"Origin": origin})
        assert_error(answer, 403, "forbidden_origin")
        assert set_cookies(answer) == {}, (method, path)
    assert (await client.get("/auth/me")).json()["user"] is not None  # nothing was logged out


async def test_a_form_login_without_origin_is_refused(server, new_email):
    email = new_email()
    async with fresh_client(server) as browser:
        await register(browser, email)
    async with fresh_client(server) as browser:
        answer = await browser.post("/auth/login", data={"emailOrUsername": email, "password": PASSWORD})
    # No browser's form (browsers send Origin with every POST): refused as a body that is not JSON.
    assert_error(answer, 400, "invalid_request")
    assert set_cookies(answer) == {}


async def test_a_preflight_from_a_foreign_origin_is_refused_in_json(client):
    for path in ("/auth/login", "/auth/register", "/auth/password/change"):
        answer = await client.options(path, headers=preflight(EVIL))
        assert_error(answer, 403, "forbidden_origin")
        assert "access-control-allow-origin" not in answer.headers


async def test_a_preflight_from_the_frontend_is_allowed(client):
    for path in ("/auth/login", "/auth/register", "/auth/password/change"):
        answer = await client.options(path, headers=preflight(FRONTEND))
        assert 200 <= answer.status_code < 300, answer.text
        assert answer.headers["access-control-allow-origin"] == FRONTEND
        assert answer.headers["access-control-allow-credentials"] == "true"
