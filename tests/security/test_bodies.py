"""Hostile bodies on every JSON route: oversized, malformed, deeply nested, wrongly typed or
with unknown fields, each is 400 invalid_request in the contract's shape, never a 500."""

import json

import pytest

from tests.support.http import PASSWORD, assert_error, fresh_client, register


async def json_routes(client) -> list[tuple[str, str, dict]]:
    """Every route documented with a JSON body, and that body's properties."""
    schema = (await client.get("/schema/openapi.json")).json()
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "{" not in path:
                routes.append((method.upper(), path, resolve(schema, body["schema"])))
    return routes


def resolve(schema: dict, node: dict) -> dict:
    if "$ref" in node:
        return resolve(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
    for key in ("oneOf", "anyOf"):
        if key in node:
            return resolve(schema, node[key][0])
    return node


@pytest.fixture
async def signed_in(server, new_email):
    """Signed in, so routes that need a session reach their body too."""
    async with fresh_client(server) as browser:
        assert (await register(browser, new_email())).status_code == 201
        yield browser


async def refused_everywhere(browser, make_body) -> None:
    routes = await json_routes(browser)
    assert len(routes) >= 10, routes
    for method, path, body_schema in routes:
        content = make_body(body_schema)
        answer = await browser.request(method, path, content=content,
                                       headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, (method, path, answer.status_code, answer.text)
        assert_error(answer, 400, "invalid_request")


async def test_an_oversized_body_is_400_invalid_request(signed_in):
    await refused_everywhere(signed_in, lambda _: b'{"email": "' + b"a" * 70_000 + b'"}')


async def test_malformed_json_is_400_invalid_request(signed_in):
    await refused_everywhere(signed_in, lambda _: b'{"email": "a@example.com",')


async def test_deeply_nested_json_is_400_invalid_request(signed_in):
    await refused_everywhere(signed_in, lambda _: b"[" * 20_000 + b"]" * 20_000)


async def test_wrongly_typed_fields_are_400_invalid_request(signed_in):
    def wrongly_typed(body_schema: dict) -> bytes:
        return json.dumps({name: [12345] for name in body_schema.get("properties", {})} or [1]).encode()

    await refused_everywhere(signed_in, wrongly_typed)


async def test_unknown_fields_are_400_invalid_request(server, new_email, db):
    email = new_email()
    async with fresh_client(server) as browser:
        answer = await browser.post("/auth/register", json={"email": email, "password": PASSWORD, "isAdmin": True})
        assert_error(answer, 400, "invalid_request")
        login = await browser.post("/auth/login", json={"emailOrUsername": email, "password": PASSWORD,
                                                        "remember": True})
        assert_error(login, 400, "invalid_request")
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
