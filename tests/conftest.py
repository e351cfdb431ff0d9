import pytest

from tests.support.database import test_database

# Shared by tests/e2e and tests/security: one uvicorn server and one set of fakes per session.
pytest_plugins = ["tests.support.e2e_fixtures"]


@pytest.fixture(scope="session")
def database_url():
    """A fresh, migrated PostgreSQL database for the whole test session."""
    with test_database() as url:
        yield url
