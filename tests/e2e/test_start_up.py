"""What a newcomer sees when starting the service: `python -m web` (make dev) and the
uvicorn factory, in subprocesses, reading what they print. And the promise "start, whatever
the database is doing": before its database is up or migrated the service answers 503
not_ready, then serves (and delivers its emails) without a restart."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from infrastructure.persistence.schema_version import REVISIONS, VERSION_TABLE
from tests.support.database import restartable_database, sibling_database
from tests.support.e2e_fixtures import messaging_env
from tests.support.http import PASSWORD, assert_error
from tests.support.loopback import has_ipv6_loopback
from tests.support.server import ROOT, free_port

BOUND = 60  # seconds: a bound on waits that end by themselves, not a timing

SECRET = "start-up-secret-key-0123456789abcdef012345"


def environment(**env: str) -> dict[str, str]:
    """The test's variables over a clean slate: no HOST or PORT inherited from the shell."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "APP_ENV")}
    return {**inherited, "SECRET_KEY": SECRET, "RUN_MIGRATIONS": "false", **env}


@contextmanager
def started(env: dict[str, str], log: Path, *args: str) -> Iterator[str]:
    """`python -m web [args]` until /health answers on 127.0.0.1 (ready or not); yields its URL."""
    base_url = f"http://127.0.0.1:{env['PORT']}"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "web", *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{base_url}/health"):
            assert process.poll() is None, f"exited with {process.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_ctrl_c_stops_make_dev_and_its_embedded_postgresql_in_a_few_quiet_lines(tmp_path):
    port = free_port()
    env = environment(PORT=str(port), DATA_DIR=str(tmp_path / "data"))
    env.pop("DATABASE_URL", None)  # make dev without a database: the embedded PostgreSQL
    log = tmp_path / "dev.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "web"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + BOUND
        while not _answers(f"http://127.0.0.1:{port}/health"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=BOUND) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    shutdown = log.read_text().split("Shutting down", 1)[1]
    assert "pg_ctl" not in shutdown and "pgserver" not in shutdown, shutdown
    assert len(shutdown.strip().splitlines()) <= 4, shutdown  # uvicorn's own lines
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()  # and it did stop


@pytest.mark.parametrize("command", [
    ["-m", "web"],
    ["-m", "uvicorn", "web.app:create_app", "--factory", "--port", "0"],
])
def test_a_bad_setting_prints_one_line_naming_the_variable_and_exits(command):
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=environment(PORT="abc"),
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert 'Configuration error: PORT: expected an integer, got "abc"' in output
    assert result.returncode != 0 and "Traceback" not in output and "$.port" not in output
    if command == ["-m", "web"]:
        assert output.strip().count("\n") == 0  # that line alone


def test_make_dev_serves_localhost_on_every_loopback_address_without_warnings(database_url, tmp_path):
    port = free_port()
    log = tmp_path / "dev.log"
    with started(environment(DATABASE_URL=database_url, PORT=str(port)), log) as base_url:
        assert httpx.get(f"{base_url}/health/ready").status_code == 200
        if has_ipv6_loopback():  # what browsers and Node may try first for "localhost"
            assert httpx.get(f"http://[::1]:{port}/health").status_code == 200
    output = log.read_text()
    assert f"running on http://localhost:{port}" in output
    assert "Warning" not in output and "WARNING" not in output, output


def test_production_on_an_unmigrated_database_is_not_ready_until_migrated_then_serves_and_mails(
    database_url, mail, whatsapp, tmp_path
):
    """Also: each problem is one line at start (here the API on 127.0.0.1, another site
    than the frontend on localhost): one start of the app serves both promises."""
    with sibling_database(database_url) as empty:
        env = environment(DATABASE_URL=empty, PORT=str(free_port()), APP_ENV="production",
                          HOST="127.0.0.1", FRONTEND_ORIGIN="http://localhost:3000",
                          **messaging_env(mail, whatsapp))
        log = tmp_path / "prod.log"
        with started(env, log) as base_url:
            refused = httpx.get(f"{base_url}/health/ready")
            assert_error(refused, 503, "not_ready")
            assert "not migrated" in refused.json()["message"]
            assert_error(register(base_url, an_email()), 503, "not_ready")  # no table yet: not a 500
            output = log.read_text().splitlines()
            [unmigrated] = [line for line in output if "make migrate" in line]
            assert "schema" in unmigrated
            [cross_site] = [line for line in output if "not the same site" in line]
            assert "http://127.0.0.1" in cross_site

            migrated = subprocess.run([sys.executable, "-m", "web", "migrate"], cwd=ROOT, env=env,
                                      capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
            assert migrated.returncode == 0, migrated.stderr
            assert "migrated" in migrated.stdout
            assert httpx.get(f"{base_url}/health/ready").status_code == 200  # no restart needed
            serves_and_mails(base_url, mail)
        assert "Traceback" not in log.read_text()


def test_serve_production_runs_every_worker_in_production_whatever_the_environment_says(database_url, tmp_path):
    """make serve with APP_ENV=development (and RUN_MIGRATIONS unset) in the environment: the
    workers read production, so a fresh database is not migrated at start (not ready until
    `python -m web migrate`), cookies are Secure, and WhatsApp without Twilio is off."""
    with sibling_database(database_url) as empty:
        env = {**environment(DATABASE_URL=empty, PORT=str(free_port()), HOST="127.0.0.1",
                             APP_ENV="development", WORKERS="2", MESSAGES_TO_LOG="true")}
        del env["RUN_MIGRATIONS"]  # production's default: no migration at start
        with started(env, tmp_path / "serve.log", "serve", "--production") as base_url:
            assert httpx.get(f"{base_url}/health/ready").status_code == 503
            migrated = subprocess.run([sys.executable, "-m", "web", "migrate"], cwd=ROOT, env=env,
                                      capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
            assert migrated.returncode == 0, migrated.stderr
            assert httpx.get(f"{base_url}/health/ready").status_code == 200
            answers = [httpx.post(f"{base_url}/auth/register", json={"email": f"w{i}@example.com",
                                                                      "password": "correct horse battery staple"})
                       for i in range(4)]  # two workers: each takes some connections
            for answer in answers:
                assert answer.status_code == 201, answer.text
                for cookie in answer.headers.get_list("set-cookie"):
                    assert "secure" in cookie.lower(), cookie
            for path, body in [("/auth/phone/verify/request", {}),
                               ("/auth/forgot-password", {"phoneNumber": "+33612345678"})]:
                refused = httpx.post(f"{base_url}{path}", json=body)
                assert (refused.status_code, refused.json()["error"]) == (503, "channel_not_configured")
        output = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in output and "starting 2 workers" in output


PRODUCTION = {"APP_ENV": "production", "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
              "MESSAGES_TO_LOG": "true"}


@pytest.mark.parametrize(("command", "env", "line"), [
    (["serve"], {"APP_ENV": "prod"}, 'APP_ENV: expected development or production, got "prod"'),
    (["serve"], {**PRODUCTION, "DATABASE_URL": ""},
     "DATABASE_URL: APP_ENV=production needs a PostgreSQL database (the embedded one is for development)"),
    (["serve", "--production"], {**PRODUCTION, "APP_ENV": "", "DATABASE_URL": ""},
     "DATABASE_URL: APP_ENV=production needs a PostgreSQL database (the embedded one is for development)"),
    (["serve", "--production"], {**PRODUCTION, "MESSAGES_TO_LOG": ""},
     "SENDGRID_API_KEY: with APP_ENV=production, emails need SendGrid (set it and EMAIL_FROM), "
     "or MESSAGES_TO_LOG=true to print them to the log instead"),
    (["serve"], {"DATABASE_URL": "mysql://root:hunter2@127.0.0.1/sesame"},
     'DATABASE_URL: expected a postgresql://user:password@host:5432/database URL, got a "mysql://" URL'),
    (["migrate"], {"DATABASE_URL": "mysql://root:hunter2@127.0.0.1/sesame"},
     'DATABASE_URL: expected a postgresql://user:password@host:5432/database URL, got a "mysql://" URL'),
    (["serve"], {"GOOGLE_CLIENT_ID": "sesame.apps.googleusercontent.com"},
     "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET: set both or neither"),
])
def test_a_start_the_configuration_forbids_is_refused_in_one_line(command, env, line):
    result = subprocess.run([sys.executable, "-m", "web", *command], cwd=ROOT,
                            env=environment(PORT=str(free_port()), **env),
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert (result.returncode, result.stdout, result.stderr) == (3, "", f"Configuration error: {line}\n")


def test_migrating_a_database_that_does_not_exist_is_one_line(database_url):
    # The same server, another database name (an embedded server's socket is in the query).
    missing = make_url(database_url).set(database="sesame_no_such_database").render_as_string(hide_password=False)
    result = subprocess.run([sys.executable, "-m", "web", "migrate"], cwd=ROOT,
                            env=environment(DATABASE_URL=missing), capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ('Cannot migrate: PostgreSQL refused the connection: database '
                             '"sesame_no_such_database" does not exist\n')


def test_started_while_postgresql_is_down_it_serves_and_mails_once_it_is_up(mail, whatsapp, tmp_path):
    with restartable_database() as postgres:
        postgres.stop()
        env = environment(DATABASE_URL=postgres.url, PORT=str(free_port()), **messaging_env(mail, whatsapp))
        log = tmp_path / "down.log"
        with started(env, log) as base_url:
            assert_error(httpx.get(f"{base_url}/health/ready"), 503, "not_ready")
            assert_error(register(base_url, an_email()), 503, "not_ready")
            postgres.start()
            until(lambda: httpx.get(f"{base_url}/health/ready").status_code == 200, log)
            serves_and_mails(base_url, mail)
        output = log.read_text()
        assert "Traceback" not in output, output
        assert output.count("background jobs wait") == 1  # said once, not once a poll


@pytest.mark.parametrize("revision, status", [
    ("0099_from_a_later_version", 200),  # migrated by a newer version: this one still serves
    (REVISIONS[-2], 503),  # older than this version needs
], ids=["unknown-is-newer", "older"])
def test_readiness_takes_the_head_or_newer_and_refuses_older(database_url, revision, status, tmp_path):
    with sibling_database(database_url) as url:
        subprocess.run([sys.executable, "-m", "web", "migrate"], cwd=ROOT, check=True, capture_output=True,
                       env=environment(DATABASE_URL=url), timeout=60, stdin=subprocess.DEVNULL)
        asyncio.run(_set_revision(url, revision))
        log = tmp_path / "revision.log"
        with started(environment(DATABASE_URL=url, PORT=str(free_port())), log) as base_url:
            probes = [httpx.get(f"{base_url}/health/ready") for _ in range(3)]
        if status == 503:
            for probe in probes:
                assert_error(probe, 503, "not_ready")
        else:
            assert [probe.status_code for probe in probes] == [200] * 3
        unknown = [line for line in log.read_text().splitlines() if "does not know" in line]
        assert len(unknown) == (1 if status == 200 else 0), unknown  # once, not once a probe
        assert "Traceback" not in log.read_text()


def register(base_url: str, email: str) -> httpx.Response:
    return httpx.post(f"{base_url}/auth/register", json={"email": email, "password": PASSWORD}, timeout=30)


def an_email() -> str:
    return f"start-{uuid.uuid4().hex[:10]}@example.com"


def serves_and_mails(base_url: str, mail) -> None:
    """A registration succeeds and its verification email is delivered: the dispatcher runs."""
    email = an_email()
    assert register(base_url, email).status_code == 201
    message = asyncio.run(mail.wait_for(to=email, timeout=BOUND))
    assert message.token


def until(condition: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


async def _set_revision(url: str, revision: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f"UPDATE {VERSION_TABLE} SET version_num = $1", revision)
    finally:
        await connection.close()


def test_make_oidc_dev_takes_email_and_name_and_says_to_start_the_api_in_a_second_terminal():
    process = subprocess.Popen(
        # UV=true: the venv is synced already; no `uv sync` under the running suite
        ["make", "-s", "oidc-dev", "EMAIL=ada@example.com", "NAME=Ada Lovelace", "OIDC_PORT=0", "UV=true"],
        cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # make and the provider: one group, stopped together
    )
    try:
        lines: list[str] = []
        while not any("make dev" in line for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)  # it exited before printing the instructions
            lines.append(line)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=15)
    text = "".join(lines)
    assert "Ada Lovelace <ada@example.com>" in text
    assert "second terminal" in text
    assert "GOOGLE_CLIENT_ID=" in text and "GOOGLE_DISCOVERY_URL=http://127.0.0.1:" in text
