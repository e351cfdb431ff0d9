"""Configuration from the environment (and an optional .env file), read once at start, by concern.

Each section is a module here, whose fields name the variable they are read from:
serving (HOST, PORT, WORKERS, FRONTEND_ORIGIN...), database (DATABASE_*, DATA_DIR,
RUN_MIGRATIONS, and the retention), keys (SECRET_KEY*), sessions (the TTLs and the cookies),
limits (the attempt limits, the password work), passwords (PASSWORD_BREACH_CHECK,
PWNED_PASSWORDS_URL), profiles (DEFAULT_PHONE_REGION), branding
(APP_NAME, MAIL_LOGO_URL, TEMPLATES_DIR), messaging (DEFAULT_LOCALE, the outbox, SendGrid,
Twilio), observability (LOG_FORMAT, METRICS_PORT), passkeys (WEBAUTHN_*) and providers (Google, Facebook, GitHub and the OIDC_PROVIDERS, keyed by name).
environment.py reads the variables; load_settings builds and checks every section, and a bad
value stops the start with one line naming its variable."""

import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

import msgspec

from infrastructure.settings.branding import BrandingSettings, check_branding
from infrastructure.settings.database import (
    DatabaseSettings,
    RetentionSettings,
    check_database,
    check_production_database,
    check_retention,
)
from infrastructure.settings.environment import ConfigError, bad, read_section, read_variables
from infrastructure.settings.keys import DEV_SECRET_KEY, KeySettings, check_production_keys
from infrastructure.settings.limits import LimitSettings, check_limits
from infrastructure.settings.messaging import MessagingSettings, check_messaging
from infrastructure.settings.observability import ObservabilitySettings, check_observability
from infrastructure.settings.passkeys import PasskeySettings, check_passkeys
from infrastructure.settings.passwords import PasswordSettings, check_passwords
from infrastructure.settings.profiles import ProfileSettings, check_profiles
from infrastructure.settings.providers import ProviderSettings, read_providers
from infrastructure.settings.serving import ServingSettings, check_serving
from infrastructure.settings.sessions import SessionSettings, check_sessions

__all__ = ["DEV_SECRET_KEY", "STARTUP_FAILURE_EXIT", "ConfigError", "Settings", "load_settings", "load_settings_or_exit"]

# uvicorn's STARTUP_FAILURE: its worker supervisor stops instead of restarting a worker
# that exits with it (a bad setting fails the same way every time).
STARTUP_FAILURE_EXIT = 3
APP_ENVS = ("development", "production")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    app_env: str = "development"  # APP_ENV: development or production (nothing else: a typo is refused)
    serving: ServingSettings = msgspec.field(default_factory=ServingSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    retention: RetentionSettings = msgspec.field(default_factory=RetentionSettings)
    keys: KeySettings = msgspec.field(default_factory=KeySettings)
    sessions: SessionSettings = msgspec.field(default_factory=SessionSettings)
    limits: LimitSettings = msgspec.field(default_factory=LimitSettings)
    passwords: PasswordSettings = msgspec.field(default_factory=PasswordSettings)
    profiles: ProfileSettings = msgspec.field(default_factory=ProfileSettings)
    branding: BrandingSettings = msgspec.field(default_factory=BrandingSettings)
    messaging: MessagingSettings = msgspec.field(default_factory=MessagingSettings)
    observability: ObservabilitySettings = msgspec.field(default_factory=ObservabilitySettings)
    passkeys: PasskeySettings = msgspec.field(default_factory=PasskeySettings)
    providers: dict[str, ProviderSettings] = {}  # the configured ones, in the order the frontend shows them

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def migrate_on_start(self) -> bool:
        """RUN_MIGRATIONS, or its default: on in development only."""
        run = self.database.run_migrations
        return (not self.production) if run is None else run

    @property
    def log_style(self) -> str:
        """LOG_FORMAT, or its default: json in production, text in development."""
        return self.observability.log_style(self.production)

    @property
    def print_messages(self) -> bool:
        """MESSAGES_TO_LOG, or its default: true in development only."""
        to_log = self.messaging.messages_to_log
        return (not self.production) if to_log is None else to_log

    @property
    def whatsapp_enabled(self) -> bool:
        """Twilio; or, in development only, the log. Production never prints WhatsApp codes:
        without Twilio the channel is off (its routes answer 503 channel_not_configured)."""
        return self.messaging.twilio.enabled or (self.print_messages and not self.production)

    # The connections this instance holds (docs/scaling.md): a pool per worker, and each
    # worker's outbox listener.

    @property
    def listens(self) -> bool:
        """Whether the outbox dispatcher LISTENs: not through PgBouncer (a pooled server
        connection serves other clients between transactions, so it would hear nothing),
        unless DATABASE_DIRECT_URL gives it a connection of its own; else it polls."""
        database = self.database
        return self.messaging.outbox_dispatcher and (database.direct_url is not None or not database.pgbouncer)

    @property
    def listener_connections(self) -> int:
        """Held by each process beside its pool: the outbox dispatcher's LISTEN connection."""
        return 1 if self.listens else 0

    @property
    def pool_size(self) -> int:
        """Each process's pool (fixed: no overflow). With DATABASE_MAX_CONNECTIONS, the
        budget is shared out: floor(budget / WORKERS) - the listener, at least 1."""
        if self.database.max_connections is None:
            return self.database.pool_size
        share = self.database.max_connections // max(1, self.serving.workers)
        return max(1, share - self.listener_connections)

    @property
    def connections_needed(self) -> int:
        """What this instance opens at most: WORKERS x (pool + listener)."""
        return max(1, self.serving.workers) * (self.pool_size + self.listener_connections)


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str = ".env", defaults: Mapping[str, str] | None = None
) -> Settings:
    """Settings from `environ` (default os.environ) over the values in `env_file`, over
    `defaults` (variable names: what `python -m web serve --production` presets)."""
    variables = read_variables(environ, env_file, defaults)
    if "PUBLIC_URL" not in variables and "GOOGLE_CALLBACK_URL" in variables:
        parts = urlsplit(variables["GOOGLE_CALLBACK_URL"])  # PUBLIC_URL's default: browsers reach it
        variables["PUBLIC_URL"] = f"{parts.scheme}://{parts.netloc}"
    sections = {
        field.name: read_section(field.type, variables)
        for field in msgspec.structs.fields(Settings) if field.name not in ("app_env", "providers")
    }
    settings = Settings(app_env=variables.get("APP_ENV", "development"), **sections)
    _check(settings)
    return msgspec.structs.replace(settings, providers=read_providers(variables, settings.serving.api_url))


def _check(settings: Settings) -> None:
    if settings.app_env not in APP_ENVS:  # first: every later rule depends on it
        raise bad("APP_ENV", " or ".join(APP_ENVS), settings.app_env)
    check_serving(settings.serving)
    check_observability(settings.observability, port=settings.serving.port)
    check_database(settings.database)
    check_sessions(settings.sessions)
    check_limits(settings.limits)
    check_passwords(settings.passwords)
    check_retention(settings.retention)
    check_profiles(settings.profiles)
    if settings.production:  # real secret keys, a real database (and, below, a way to send email)
        check_production_keys(settings.keys)
        check_production_database(settings.database)
    check_messaging(settings.messaging, print_messages=settings.print_messages)
    check_branding(settings.branding, production=settings.production)
    check_passkeys(settings.passkeys, settings.serving.frontend_origin, settings.branding.app_name)


def load_settings_or_exit(defaults: Mapping[str, str] | None = None) -> Settings:
    """The settings, or one line naming the bad variable and exit: a traceback would
    bury the one thing the operator must fix."""
    try:
        return load_settings(defaults=defaults)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE_EXIT) from None
