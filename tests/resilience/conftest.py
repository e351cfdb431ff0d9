"""The resilience suite runs its own fleet: 4 uvicorn workers (so every promise is shared by
processes), on a PostgreSQL of its own (the restart test stops it; the session's shared one
stays up for the other suites), with its own fake SendGrid and Twilio (the outage test takes
them down). Started once for the package (about 10 s)."""

import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.database import RestartablePostgres, restartable_database
from tests.support.e2e_fixtures import FRONTEND, SECRET_KEY, messaging_env
from tests.support.fake_messaging import FakeSendGrid, FakeTwilio
from tests.support.server import free_port, log_path, running_server

WORKERS = 4


@pytest.fixture(scope="package")
def postgres():
    with restartable_database() as server:
        yield server


@pytest.fixture(scope="package")
def fleet_mail():
    with FakeSendGrid(api_key="SG.resilience") as fake:
        yield fake


@pytest.fixture(scope="package")
def fleet_whatsapp():
    with FakeTwilio(account_sid="AC" + "5e5a" * 8, auth_token="resilience-token") as fake:
        yield fake


@pytest.fixture(scope="package")
def fleet(postgres: RestartablePostgres, fleet_mail, fleet_whatsapp):
    """The base URL of 4 workers; each runs an outbox dispatcher (the default)."""
    port = free_port()
    env = {
        "DATABASE_URL": postgres.url,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "FRONTEND_ORIGIN": FRONTEND,
        "RUN_MIGRATIONS": "false",
        "FORWARDED_ALLOW_IPS": "127.0.0.1,::1",
        **messaging_env(fleet_mail, fleet_whatsapp),
    }
    # A bound, not a measure: 4 workers starting on a machine shared with other suites.
    with running_server(env, workers=WORKERS, port=port, timeout=180) as base_url:
        yield base_url


@pytest.fixture
def fleet_log(fleet) -> "LogTail":
    """What the fleet logs from now on (all workers write to one file)."""
    return LogTail(log_path(int(fleet.rsplit(":", 1)[1])))


class LogTail:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._start = path.stat().st_size

    def text(self) -> str:
        with open(self._path, errors="replace") as log:
            log.seek(self._start)
            return log.read()


@pytest.fixture
async def fleet_db(postgres: RestartablePostgres):
    """A direct connection to the fleet's database (the restart test opens its own)."""
    connection = await asyncpg.connect(dsn(postgres))
    yield connection
    await connection.close()


def dsn(postgres: RestartablePostgres) -> str:
    return postgres.url.replace("postgresql+asyncpg", "postgresql")


def an_address() -> str:
    """A documentation-range client address (X-Forwarded-For from loopback is trusted), in
    its own /64: the per-address limits count an IPv6 client by its /64."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::{uuid.uuid4().hex[:4]}"


def browser(base_url: str, address: str | None = None, timeout: float = 30, **headers) -> httpx.AsyncClient:
    """A client with its own address and cookie jar."""
    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, headers={"X-Forwarded-For": address or an_address(), **headers}
    )
