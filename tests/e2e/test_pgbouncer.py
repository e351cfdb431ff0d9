"""The service behind a transaction-pooling PgBouncer (Debian's, tests/support/pgbouncer.py):
DATABASE_PGBOUNCER=true, with DATABASE_DIRECT_URL (the outbox dispatcher LISTENs on it) and
without (it polls). PgBouncer lends fewer server connections than the service has clients,
so statements of different requests and processes follow one another on each of them.

Without DATABASE_PGBOUNCER the same set-up fails: asyncpg's named prepared statements meet
server connections that lack them, or hold another client's of the same name."""

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import make_url

from infrastructure.persistence.migrate import migrate_url
from infrastructure.persistence.schema_version import schema_head
from tests.support.database import sibling_database
from tests.support.e2e_fixtures import FRONTEND, SECRET_KEY, client_address, messaging_env
from tests.support.http import PASSWORD, login, me_with_sid, refresh_with, register, session_cookies
from tests.support.pgbouncer import Bouncer, running_pgbouncer
from tests.support.server import log_path, running_server

CONCURRENT = 60  # /auth/me at once: many more than PgBouncer's server connections


@pytest.fixture(scope="module")
def bouncer(database_url):
    with running_pgbouncer(database_url) as running:
        yield running


def server_env(database_url: str, bouncer: Bouncer, mail, whatsapp, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": bouncer.url,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "FRONTEND_ORIGIN": FRONTEND,
        "RUN_MIGRATIONS": "false",
        "DATABASE_POOL_SIZE": "6",  # per worker: 12 clients of PgBouncer's 3 server connections
        **messaging_env(mail, whatsapp),
        **extra,
    }


@pytest.fixture(scope="module", params=["listen", "poll"])
def behind_pgbouncer(request, database_url, bouncer, mail, whatsapp):
    """The base URL of two workers behind PgBouncer: "listen" with DATABASE_DIRECT_URL,
    "poll" without."""
    direct = {"DATABASE_DIRECT_URL": database_url} if request.param == "listen" else {}
    env = server_env(database_url, bouncer, mail, whatsapp, DATABASE_PGBOUNCER="true", **direct)
    with running_server(env, workers=2, timeout=120) as base_url:
        yield base_url


@pytest.fixture
def listens(behind_pgbouncer, request) -> bool:
    """Whether the server under test was given DATABASE_DIRECT_URL (so LISTENs)."""
    return request.node.callspec.params["behind_pgbouncer"] == "listen"


def browser(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=30, headers={"X-Forwarded-For": client_address()})


def new_email() -> str:
    return f"bouncer-{uuid.uuid4().hex[:12]}@example.com"


def server_log(base_url: str) -> Path:
    return log_path(urlsplit(base_url).port)


async def test_register_login_me_and_refresh_behind_pgbouncer(behind_pgbouncer, mail):
    email = new_email()
    async with browser(behind_pgbouncer) as client:
        registered = await register(client, email)
        assert registered.status_code == 201, registered.text
        session_cookies(registered)
        verification = await mail.wait_for(to=email)  # the outbox, delivered by the dispatcher
        assert any("/verify-email?" in link for link in verification.links), verification.links

        me = await client.get("/auth/me")
        assert me.status_code == 200, me.text
        assert me.json()["user"]["email"] == email

        refreshed = await client.post("/auth/refresh")
        assert refreshed.status_code == 200, refreshed.text
        assert (await client.get("/auth/me")).json()["user"]["email"] == email

    async with browser(behind_pgbouncer) as other:
        logged_in = await login(other, email, PASSWORD)
        assert logged_in.status_code == 200, logged_in.text
        sid, refresh_token = session_cookies(logged_in)
        assert (await other.get("/auth/me")).json()["user"]["email"] == email
    rotated = await refresh_with(behind_pgbouncer, refresh_token)
    assert rotated.status_code == 200, rotated.text
    new_sid, _ = session_cookies(rotated)
    assert (await me_with_sid(behind_pgbouncer, new_sid)).status_code == 200


async def test_many_concurrent_requests_share_pgbouncer_server_connections(behind_pgbouncer):
    """/auth/me (the driver's statements) and refresh (its one-statement rotation) of several
    sessions at once, across both workers, with logins (units of work) among them."""
    sessions = []
    for _ in range(3):
        async with browser(behind_pgbouncer) as client:
            registered = await register(client, new_email())
            assert registered.status_code == 201, registered.text
            sessions.append(session_cookies(registered))

    async def me(sid: str) -> int:
        return (await me_with_sid(behind_pgbouncer, sid)).status_code

    async def refresh(token: str) -> int:
        return (await refresh_with(behind_pgbouncer, token)).status_code

    answers = await asyncio.gather(
        *(me(sessions[i % len(sessions)][0]) for i in range(CONCURRENT)),
        *(refresh(token) for _, token in sessions),
    )
    assert answers == [200] * (CONCURRENT + len(sessions)), answers
    assert "Traceback" not in server_log(behind_pgbouncer).read_text(errors="replace")


async def test_the_dispatcher_listens_on_the_direct_url_and_polls_without_it(behind_pgbouncer, listens, mail):
    email = new_email()
    async with browser(behind_pgbouncer) as client:
        assert (await register(client, email)).status_code == 201
    await mail.wait_for(to=email, timeout=15)
    log = server_log(behind_pgbouncer).read_text(errors="replace")
    started = [line for line in log.splitlines() if "background jobs started" in line]
    assert len(started) == 2, log  # one per worker
    assert all(("outbox listener" in line) == listens for line in started), started
    assert "outbox listener cannot connect" not in log
    told = "outbox listener(s) on DATABASE_DIRECT_URL" if listens else "the outbox is polled each second"
    assert told in log, log[:3000]


def test_migrations_run_through_pgbouncer(database_url, bouncer):
    """A fresh database migrated through PgBouncer: one transaction, its advisory lock
    transaction-scoped, no named statement."""
    with sibling_database(database_url) as direct:
        through = make_url(bouncer.url).set(database=make_url(direct).database)
        migrated = asyncio.run(migrate_url(through.render_as_string(hide_password=False), pgbouncer=True))
        assert migrated == schema_head()


async def test_without_database_pgbouncer_the_same_setup_fails(database_url, bouncer, mail, whatsapp):
    """What the operator met: named prepared statements behind PgBouncer."""
    env = server_env(database_url, bouncer, mail, whatsapp)
    try:
        with running_server(env, workers=1, timeout=60) as base_url:
            async with browser(base_url) as client:
                registered = await register(client, new_email())
            sid = session_cookies(registered)[0] if registered.status_code == 201 else "x" * 43
            answers = await asyncio.gather(*(me_with_sid(base_url, sid) for _ in range(CONCURRENT)))
            log = server_log(base_url).read_text(errors="replace")
    except RuntimeError as not_ready:  # it may not even become ready
        assert "server" in str(not_ready)
        return
    statuses = [registered.status_code, *(answer.status_code for answer in answers)]
    assert 500 in statuses or 503 in statuses, statuses
    assert "PreparedStatement" in log or "prepared statement" in log, log[-3000:]
