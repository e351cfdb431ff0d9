"""When the database cannot be reached, every route that needs it answers 503 not_ready (the
contract, and the schema, say so), never a 500."""

import pytest
from litestar.testing import AsyncTestClient

from infrastructure.settings import load_settings
from tests.support.server import free_port
from web.app import create_app


@pytest.fixture
async def client_without_database():
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/sesame"  # nothing listens there
    settings = load_settings({"DATABASE_URL": nowhere, "RUN_MIGRATIONS": "false"}, env_file="/nonexistent")
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/auth/login", {"emailOrUsername": "ada", "password": "correct-horse-battery-42"}),
    ("POST", "/auth/register", {"email": "ada@example.com", "password": "correct-horse-battery-42"}),
    ("GET", "/auth/me", None),
    ("POST", "/auth/refresh", None),
    ("POST", "/auth/logout", None),
    ("GET", "/auth/accounts", None),
    ("GET", "/health/ready", None),
])
async def test_a_route_that_needs_the_database_answers_503_not_ready_without_it(
    client_without_database, method, path, body
):
    cookies = f"sid={'s' * 43}; refresh_token={'r' * 43}"
    response = await client_without_database.request(method, path, json=body, headers={"Cookie": cookies})
    assert response.status_code == 503, response.text
    assert response.json() == {"error": "not_ready", "message": "The database does not answer."}


async def test_liveness_needs_no_database(client_without_database):
    assert (await client_without_database.get("/health")).json() == {"status": "ok"}
