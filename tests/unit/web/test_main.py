"""`python -m web` hands uvicorn the proxies to trust, wherever the setting was written."""

import pytest

from infrastructure.settings import load_settings_or_exit
from web import __main__ as entry
from web.observability.log_setup import logging_config
from web.serving.server import GuardedHttpToolsProtocol


@pytest.fixture
def uvicorn_options(monkeypatch, tmp_path):
    """What main() tells uvicorn, read from an empty directory (no .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    return lambda: entry.server_options(load_settings_or_exit())


def test_forwarded_allow_ips_defaults_to_loopback(uvicorn_options):
    assert uvicorn_options()["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_forwarded_allow_ips_from_the_environment(uvicorn_options, monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    assert uvicorn_options()["forwarded_allow_ips"] == "10.0.0.0/8"


def test_forwarded_allow_ips_from_the_env_file(uvicorn_options, tmp_path):
    (tmp_path / ".env").write_text("FORWARDED_ALLOW_IPS=192.0.2.10,192.0.2.11\n")
    # uvicorn alone would not see it: it reads only the environment
    assert uvicorn_options()["forwarded_allow_ips"] == "192.0.2.10,192.0.2.11"


def test_python_m_web_serves_with_the_header_cap_and_request_deadline(uvicorn_options, monkeypatch):
    monkeypatch.setenv("WORKERS", "3")
    options = uvicorn_options()
    assert options["http"] is GuardedHttpToolsProtocol
    assert options["workers"] == 3
    assert options["timeout_keep_alive"] == 5


@pytest.mark.parametrize(("env", "style"), [({}, "text"), ({"LOG_FORMAT": "json"}, "json")])
def test_uvicorn_writes_no_access_line_and_logs_through_the_one_setup(uvicorn_options, monkeypatch, env, style):
    """The app writes the access line (ACCESS_LOG); uvicorn's own would hold the query string."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    options = uvicorn_options()
    assert options["access_log"] is False
    assert options["log_config"] == logging_config(style)


def test_production_serves_one_worker_per_usable_core(monkeypatch):
    monkeypatch.setattr(entry.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert entry.production_defaults() == {"WORKERS": "3"}


def unset(monkeypatch, name: str) -> None:
    """Unset a variable the code under test will set: monkeypatch undoes a delenv only of a
    variable that was there, so set it first, and APP_ENV and WORKERS never leak out."""
    monkeypatch.setenv(name, "")
    monkeypatch.delenv(name)


PRODUCTION_NEEDS = {"SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame", "MESSAGES_TO_LOG": "true"}


@pytest.mark.parametrize("app_env", [None, "development"])
def test_production_is_what_the_workers_read_whatever_the_environment_said(monkeypatch, tmp_path, app_env):
    """Workers read their settings from the environment they inherit: --production writes
    APP_ENV there, and WORKERS as resolved (one per core by default)."""
    monkeypatch.chdir(tmp_path)
    for name, value in {**PRODUCTION_NEEDS, "APP_ENV": app_env, "WORKERS": None}.items():
        monkeypatch.setenv(name, value) if value else unset(monkeypatch, name)
    monkeypatch.setattr(entry.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert entry.production_settings().production
    assert (entry.os.environ["APP_ENV"], entry.os.environ["WORKERS"]) == ("production", "3")
    assert load_settings_or_exit().production  # what a worker reads


def test_production_keeps_the_workers_the_env_file_sets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("APP_ENV=development\nWORKERS=2\n")
    for name, value in PRODUCTION_NEEDS.items():
        monkeypatch.setenv(name, value)
    for name in ("APP_ENV", "WORKERS"):
        unset(monkeypatch, name)
    settings = entry.production_settings()
    assert (settings.production, settings.serving.workers, entry.os.environ["WORKERS"]) == (True, 2, "2")


@pytest.mark.parametrize(("limit", "level", "words"), [
    (100, "INFO", "2 worker(s) x (20 pooled + 1 outbox listener) = 42 PostgreSQL connections, of the 100"),
    (40, "WARNING", "= 42 PostgreSQL connections, but PostgreSQL allows 40"),
    (None, "INFO", "(the server's max_connections was not read)"),
])
def test_the_start_says_what_the_workers_will_hold(monkeypatch, caplog, limit, level, words):
    async def connection_limit(url):
        return limit

    monkeypatch.setattr("infrastructure.persistence.engine.connection_limit", connection_limit)
    from infrastructure.settings import load_settings

    s = load_settings({"WORKERS": "2", "DATABASE_URL": "postgresql://db/x"}, env_file="/nonexistent")
    with caplog.at_level("INFO", logger="uvicorn.error"):
        entry.check_connection_budget(s)
    assert [(r.levelname, words in r.getMessage()) for r in caplog.records] == [(level, True)]


@pytest.mark.parametrize(("env", "words"), [
    ({}, "up to 40 connections to PgBouncer (see its max_client_conn); the outbox is polled each second"),
    ({"DATABASE_DIRECT_URL": "postgresql://db/x"},
     "up to 40 connections to PgBouncer (see its max_client_conn), and 2 outbox listener(s) on DATABASE_DIRECT_URL"),
])
def test_behind_pgbouncer_the_start_counts_pgbouncer_s_clients(monkeypatch, caplog, env, words):
    async def connection_limit(url):
        raise AssertionError("PostgreSQL's max_connections does not bound PgBouncer's clients")

    monkeypatch.setattr("infrastructure.persistence.engine.connection_limit", connection_limit)
    from infrastructure.settings import load_settings

    s = load_settings({"WORKERS": "2", "DATABASE_URL": "postgresql://bouncer/x", "DATABASE_PGBOUNCER": "true", **env},
                      env_file="/nonexistent")
    with caplog.at_level("INFO", logger="uvicorn.error"):
        entry.check_connection_budget(s)
    assert [(r.levelname, words in r.getMessage()) for r in caplog.records] == [("INFO", True)]
