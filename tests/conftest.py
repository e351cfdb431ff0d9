import pytest

from tests.support.database import test_database


@pytest.fixture(scope="session")
def database_url():
    """A fresh, migrated PostgreSQL database for the whole test session."""
    with test_database() as url:
        yield url
