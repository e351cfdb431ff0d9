import pytest

from infrastructure.persistence.database import asyncpg_url
from infrastructure.settings import DEV_SECRET_KEY, ConfigError, load_settings


def settings(**env):
    return load_settings(env, env_file="/nonexistent")


def test_defaults_follow_the_contract():
    s = settings()
    assert (s.port, s.frontend_origin, s.session_ttl, s.refresh_ttl, s.refresh_reuse_grace) == (
        4000, "http://localhost:3000", 900, 2_592_000, 10)
    assert s.database_url is None and s.migrate_on_start and not s.production


def test_values_are_converted_from_strings():
    s = settings(PORT="8100", ALLOWED_ORIGINS="https://a.example, https://b.example",
                 RATE_LIMIT_ENABLED="false", RUN_MIGRATIONS="false")
    assert s.port == 8100 and not s.rate_limit_enabled and not s.migrate_on_start
    assert s.cors_origins == ["http://localhost:3000", "https://a.example", "https://b.example"]


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nPORT=5000\nexport FRONTEND_ORIGIN='https://app.example'\n")
    s = load_settings({"PORT": "6000"}, env_file=str(env_file))
    assert (s.port, s.frontend_origin) == (6000, "https://app.example")


@pytest.mark.parametrize("env", [
    {"APP_ENV": "production"},
    {"APP_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY},
    {"APP_ENV": "production", "SECRET_KEY": "too-short"},
    {"PORT": "not-a-number"},
    {"COOKIE_SAMESITE": "sometimes"},
])
def test_refuses_unsafe_or_invalid_configuration(env):
    with pytest.raises(ConfigError):
        settings(**env)


def test_production_with_a_real_secret_starts_without_migrations():
    s = settings(APP_ENV="production", SECRET_KEY="x" * 40)
    assert s.production and not s.migrate_on_start


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
])
def test_database_urls_use_asyncpg(url, expected):
    assert asyncpg_url(url) == expected
