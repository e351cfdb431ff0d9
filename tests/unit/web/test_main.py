"""`python -m web` hands uvicorn the proxies to trust, wherever the setting was written."""

import pytest
import uvicorn

from web import __main__ as entry


@pytest.fixture
def uvicorn_options(monkeypatch, tmp_path):
    """What main() passed to uvicorn.run, run from an empty directory (no .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    captured: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: captured.update(options))
    return captured


def test_forwarded_allow_ips_defaults_to_loopback(uvicorn_options):
    entry.main()
    assert uvicorn_options["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_forwarded_allow_ips_from_the_environment(uvicorn_options, monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    entry.main()
    assert uvicorn_options["forwarded_allow_ips"] == "10.0.0.0/8"


def test_forwarded_allow_ips_from_the_env_file(uvicorn_options, tmp_path):
    (tmp_path / ".env").write_text("FORWARDED_ALLOW_IPS=192.0.2.10,192.0.2.11\n")
    entry.main()  # uvicorn alone would not see it: it reads only the environment
    assert uvicorn_options["forwarded_allow_ips"] == "192.0.2.10,192.0.2.11"
