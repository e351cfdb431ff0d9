"""Health probes, the published OpenAPI schema, and what an unknown route answers."""

import pytest

from tests.support.http import assert_error, set_cookies


async def test_health_is_ok(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_the_database_answers(client):
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_the_openapi_schema_documents_the_auth_routes(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path, method in [("/auth/register", "post"), ("/auth/login", "post"), ("/auth/me", "get"),
                         ("/auth/refresh", "post"), ("/auth/logout", "post"), ("/health", "get")]:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing from the schema"
    assert "400" in paths["/auth/register"]["post"]["responses"]
    assert "409" in paths["/auth/register"]["post"]["responses"]
    assert "401" in paths["/auth/refresh"]["post"]["responses"]


@pytest.mark.parametrize("path", ["/nope", "/auth/nope", "/auth/me/extra", "/health/nope"])
async def test_an_unknown_path_is_a_json_404(client, path):
    response = await client.get(path)
    assert_error(response, 404, "not_found")
    assert set_cookies(response) == {}


async def test_an_unknown_path_is_404_for_posts_too(client):
    response = await client.post("/auth/nope", json={})
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [("GET", "/auth/login"), ("DELETE", "/auth/me"),
                                               ("GET", "/auth/refresh"), ("PUT", "/auth/register")])
async def test_a_wrong_method_is_a_json_405(client, method, path):
    response = await client.request(method, path)
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers.get("allow", "") or "GET" in response.headers.get("allow", "")


async def test_auth_answers_are_never_cached_and_never_sniffed(client, new_email):
    registered = await client.post(
        "/auth/register", json={"email": new_email(), "password": "correct-horse-battery-42"}
    )
    answers = [registered, await client.get("/auth/me"), await client.post("/auth/refresh")]
    for response in answers:
        assert response.status_code in (200, 201), response.text
        assert "no-store" in response.headers["cache-control"]
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("method", "path"), [("POST", "/auth/refresh"), ("GET", "/nope")])
async def test_error_answers_are_never_cached_and_never_sniffed(client, method, path):
    response = await client.request(method, path)
    assert response.status_code in (401, 404)
    assert "no-store" in response.headers.get("cache-control", "")
    assert response.headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize(("path", "status"), [("/health", 200), ("/health/ready", 200),
                                              ("/auth/me", 200), ("/auth/accounts", 401),
                                              ("/schema/openapi.json", 200)])
async def test_head_answers_like_get_without_a_body(client, path, status):
    get, head = await client.get(path), await client.head(path)
    assert (get.status_code, head.status_code) == (status, status)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


async def test_head_on_every_get_route_is_not_405(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        if "get" in operations and "{" not in path:
            response = await client.head(path)
            assert response.status_code != 405, path
            assert response.content == b"", path
