"""Configuration from the environment (and an optional .env file), read once at start."""

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0123456789"


class ConfigError(Exception):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    app_env: str = "development"
    host: str = "127.0.0.1"
    port: int = 4000
    # The proxies whose X-Forwarded-For is the client address (uvicorn's default: loopback).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    database_url: str | None = None
    database_pool_size: int = 20  # connections per process
    data_dir: str = ".data"
    secret_key: str = DEV_SECRET_KEY
    frontend_origin: str = "http://localhost:3000"
    allowed_origins: tuple[str, ...] = ()
    session_ttl: int = 900
    refresh_ttl: int = 2_592_000
    refresh_reuse_grace: int = 10
    cookie_samesite: str = "lax"
    cookie_domain: str | None = None
    rate_limit_enabled: bool = True
    run_migrations: bool | None = None  # default: on in development only
    google_client_id: str | None = None
    google_client_secret: str | None = None
    google_callback_url: str | None = None  # default: http://localhost:PORT/auth/google/callback
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    google_prompt: str = "select_account"
    google_access_type: str = "offline"

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def migrate_on_start(self) -> bool:
        return (not self.production) if self.run_migrations is None else self.run_migrations

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret)

    @property
    def google_redirect_uri(self) -> str:
        return self.google_callback_url or f"http://localhost:{self.port}/auth/google/callback"

    @property
    def cors_origins(self) -> list[str]:
        return [self.frontend_origin, *self.allowed_origins]


def load_settings(environ: Mapping[str, str] | None = None, env_file: str = ".env") -> Settings:
    """Settings from `environ` (default os.environ) over the values in `env_file`."""
    raw = {**_read_env_file(Path(env_file)), **(os.environ if environ is None else environ)}
    fields = {name.upper(): name for name in Settings.__struct_fields__}
    values: dict[str, object] = {
        fields[key]: value for key, value in raw.items() if key in fields and value != ""
    }
    if isinstance(values.get("allowed_origins"), str):
        values["allowed_origins"] = [o.strip() for o in values["allowed_origins"].split(",") if o.strip()]
    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from exc
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    if settings.cookie_samesite not in ("lax", "strict", "none"):
        raise ConfigError("COOKIE_SAMESITE must be lax, strict or none")
    if min(settings.session_ttl, settings.refresh_ttl, settings.refresh_reuse_grace) < 0:
        raise ConfigError("SESSION_TTL, REFRESH_TTL and REFRESH_REUSE_GRACE must be positive")
    if settings.production and (
        settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < 32
    ):
        raise ConfigError("APP_ENV=production needs SECRET_KEY: at least 32 random characters")


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values
