"""Configuration from the environment (and an optional .env file), read once at start."""

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from domain.credentials import visible_text
from domain.errors import InvalidInput
from domain.profile import photo_url
from infrastructure.phone_numbers import supported_regions

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0123456789"
# uvicorn's STARTUP_FAILURE: its worker supervisor stops instead of restarting a worker
# that exits with it (a bad setting fails the same way every time).
STARTUP_FAILURE_EXIT = 3
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
DEFAULT_APP_NAME = "Sésame"
MAX_APP_NAME = 60  # fits a subject line and a phone's notification


FACEBOOK_GRAPH_VERSION = "v26.0"  # newest in Meta's changelog (2026-07); raise it when Meta retires it
OIDC_NAME = re.compile(r"[a-z][a-z0-9]{0,31}")
# Names an OIDC_PROVIDERS entry cannot take: built-in providers, and the other /auth/<name> routes.
RESERVED_PROVIDER_NAMES = {
    "google", "facebook", "github", "accounts", "providers", "login", "logout", "register", "me",
    "refresh", "email", "profile", "phone", "password", "sessions", "events", "unlock", "finish",
}


class ConfigError(Exception):
    """One line for the operator: the variable, and what is wrong with it."""


class OidcProviderSettings(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of OIDC_PROVIDERS, from its <NAME>_* variables."""

    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    callback_url: str | None = None  # default: the API's URL + /auth/<name>/callback
    display_name: str | None = None  # default: the name, capitalised
    trust_email_verified: bool = False  # false: its emails count as unverified

    @property
    def title(self) -> str:
        return self.display_name or self.name.capitalize()


APP_ENVS = ("development", "production")
# What DATABASE_URL may start with: PostgreSQL, spelled as libpq, SQLAlchemy or asyncpg do.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    app_env: str = "development"  # development or production (nothing else: a typo is refused)
    # Whose service this is (README "Messages"): the name every message and the OpenAPI
    # title show, a logo for the HTML emails, and a folder of templates overriding ours.
    app_name: str = DEFAULT_APP_NAME
    mail_logo_url: str | None = None  # https (http://localhost too in development)
    templates_dir: str | None = None  # its fr/ and en/ files replace the shipped ones
    # "localhost", not 127.0.0.1: the frontend is on localhost:3000, and cookies follow the
    # site, so an API on 127.0.0.1 is another site whose cookies the frontend never gets.
    host: str = "localhost"
    port: int = 4000
    # The proxies whose X-Forwarded-For is the client address (uvicorn's default: loopback).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    public_url: str | None = None  # where browsers reach the API; see api_url
    workers: int = 1  # processes serving HOST:PORT (python -m web)
    access_log: bool = True  # one line per request; off when a proxy in front logs them
    # Log lines as text or one JSON object each (docs/operations.md "Logs"); default: json
    # in production, text in development.
    log_format: str | None = None
    # Prometheus metrics on their own port (docs/operations.md "Metrics"); unset: none.
    metrics_port: int | None = None
    # Seconds the requests in flight get after SIGTERM (new connections are refused at once);
    # the background jobs then get as long to finish the message being sent (docs/operations.md "Serving").
    shutdown_grace: float = 10
    database_url: str | None = None
    database_pool_size: int = 20  # connections per process, unless DATABASE_MAX_CONNECTIONS divides
    # All the connections this instance (every worker) may hold; each worker's pool is derived.
    database_max_connections: int | None = None
    # Behind a transaction-pooling PgBouncer (docs/operations.md "PgBouncer"): no prepared
    # statement outlives its transaction, and nothing relies on session state.
    database_pgbouncer: bool = False
    # A direct PostgreSQL connection (not through the pooler), for LISTEN and migrations.
    database_direct_url: str | None = None
    data_dir: str = ".data"
    # Password work per process (infrastructure/security/passwords.py): threads hashing
    # (each holds argon2's 19 MiB while busy), and requests holding a place, running or
    # waiting, before the next is refused with 503 busy.
    password_hash_threads: int = 1
    password_queue_limit: int = 32
    secret_key: str = DEV_SECRET_KEY
    # Older keys, still read (digests and ciphertexts made under them) but never written
    # with: docs/operations.md "Rotate the secret key". One equal to SECRET_KEY adds nothing.
    secret_key_fallbacks: tuple[str, ...] = ()
    frontend_origin: str = "http://localhost:3000"
    allowed_origins: tuple[str, ...] = ()
    session_ttl: int = 900
    refresh_ttl: int = 2_592_000
    refresh_reuse_grace: int = 10
    cookie_samesite: str = "lax"
    cookie_domain: str | None = None
    rate_limit_enabled: bool = True
    default_phone_region: str = "FR"  # for phone numbers typed without "+"
    run_migrations: bool | None = None  # default: on in development only
    google_client_id: str | None = None
    google_client_secret: str | None = None
    google_callback_url: str | None = None  # default: the API's URL + /auth/google/callback
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    google_prompt: str = "select_account"
    google_access_type: str = "offline"
    # Plain OAuth 2 providers (README "Sign in with Facebook, GitHub"): offered when configured.
    facebook_client_id: str | None = None
    facebook_client_secret: str | None = None
    facebook_callback_url: str | None = None  # default: the API's URL + /auth/facebook/callback
    facebook_authorize_url: str = f"https://www.facebook.com/{FACEBOOK_GRAPH_VERSION}/dialog/oauth"
    facebook_graph_url: str = f"https://graph.facebook.com/{FACEBOOK_GRAPH_VERSION}"
    github_client_id: str | None = None
    github_client_secret: str | None = None
    github_callback_url: str | None = None  # default: the API's URL + /auth/github/callback
    github_oauth_url: str = "https://github.com/login/oauth"
    github_api_url: str = "https://api.github.com"
    # More OpenID Connect providers, each from <NAME>_* variables (load_settings reads them).
    oidc_providers: tuple[str, ...] = ()
    oidc: tuple[OidcProviderSettings, ...] = ()
    # Messages (README "Messages"): without credentials, a channel prints to the log.
    default_locale: str = "fr"
    # A channel without credentials prints its messages to the log (true) or is off (false).
    # Default: true in development, false in production (where printing must be a choice).
    messages_to_log: bool | None = None
    outbox_dispatcher: bool = True  # deliver the outbox from this process
    sendgrid_api_key: str | None = None
    sendgrid_base_url: str = "https://api.sendgrid.com"
    email_from: str | None = None  # a verified sender: "Sésame <no-reply@example.com>"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None  # +E164 (the sandbox: +14155238886)
    twilio_base_url: str = "https://api.twilio.com"
    twilio_whatsapp_content_sid: str | None = None  # HX...: the approved authentication template
    # Retention (docs/operations.md "Retention"): rotated refresh tokens, ended sessions, used
    # or expired links and codes, finished outbox messages are purged this many days after
    # they ended; security events this many days after they happened.
    retention_days: int = 30
    events_retention_days: int = 400

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def log_style(self) -> str:
        """LOG_FORMAT, or its default: json in production, text in development."""
        return self.log_format or ("json" if self.production else "text")

    @property
    def migrate_on_start(self) -> bool:
        return (not self.production) if self.run_migrations is None else self.run_migrations

    @property
    def listens(self) -> bool:
        """Whether the outbox dispatcher LISTENs: not through PgBouncer (a pooled server
        connection serves other clients between transactions, so it would hear nothing),
        unless DATABASE_DIRECT_URL gives it a connection of its own; else it polls."""
        return self.outbox_dispatcher and (self.database_direct_url is not None or not self.database_pgbouncer)

    @property
    def listener_connections(self) -> int:
        """Held by each process beside its pool: the outbox dispatcher's LISTEN connection."""
        return 1 if self.listens else 0

    @property
    def pool_size(self) -> int:
        """Each process's pool (fixed: no overflow). With DATABASE_MAX_CONNECTIONS, the
        budget is shared out: floor(budget / WORKERS) - the listener, at least 1."""
        if self.database_max_connections is None:
            return self.database_pool_size
        share = self.database_max_connections // max(1, self.workers)
        return max(1, share - self.listener_connections)

    @property
    def connections_needed(self) -> int:
        """What this instance opens at most: WORKERS x (pool + listener)."""
        return max(1, self.workers) * (self.pool_size + self.listener_connections)

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret)

    @property
    def facebook_enabled(self) -> bool:
        return bool(self.facebook_client_id and self.facebook_client_secret)

    @property
    def github_enabled(self) -> bool:
        return bool(self.github_client_id and self.github_client_secret)

    @property
    def identity_providers_enabled(self) -> bool:
        return self.google_enabled or self.facebook_enabled or self.github_enabled or bool(self.oidc)

    @property
    def sendgrid_enabled(self) -> bool:
        return bool(self.sendgrid_api_key)

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def print_messages(self) -> bool:
        """MESSAGES_TO_LOG, or its default: true in development only."""
        return (not self.production) if self.messages_to_log is None else self.messages_to_log

    @property
    def whatsapp_enabled(self) -> bool:
        """Twilio; or, in development only, the log. Production never prints WhatsApp codes:
        without Twilio the channel is off (its routes answer 503 channel_not_configured)."""
        return self.twilio_enabled or (self.print_messages and not self.production)

    @property
    def api_url(self) -> str:
        """The API's address as browsers see it: PUBLIC_URL, else the origin of
        GOOGLE_CALLBACK_URL (browsers reach it), else http://HOST:PORT."""
        if self.public_url:
            return self.public_url.rstrip("/")
        if self.google_callback_url:
            parts = urlsplit(self.google_callback_url)
            return f"{parts.scheme}://{parts.netloc}"
        host = "localhost" if self.host in ("", "0.0.0.0", "::") else self.host  # wildcards
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def google_redirect_uri(self) -> str:
        return self.google_callback_url or self.callback_url("google")

    def callback_url(self, provider: str) -> str:
        """Where `provider` sends browsers back when its *_CALLBACK_URL is not set."""
        return f"{self.api_url}/auth/{provider}/callback"

    @property
    def cors_origins(self) -> list[str]:
        return [self.frontend_origin, *self.allowed_origins]


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str = ".env", defaults: Mapping[str, str] | None = None
) -> Settings:
    """Settings from `environ` (default os.environ) over the values in `env_file`, over
    `defaults` (variable names: what `python -m web serve --production` presets)."""
    raw = {**(defaults or {}), **_read_env_file(Path(env_file)), **(os.environ if environ is None else environ)}
    fields = {name.upper(): name for name in Settings.__struct_fields__}
    values: dict[str, object] = {
        fields[key]: value for key, value in raw.items() if key in fields and value != ""
    }
    for name in ("allowed_origins", "oidc_providers", "secret_key_fallbacks"):
        if isinstance(values.get(name), str):
            values[name] = [item.strip() for item in values[name].split(",") if item.strip()]
    values["oidc_providers"] = [name.lower() for name in values.get("oidc_providers", [])]
    values["oidc"] = [_oidc_provider(name, raw) for name in _provider_names(values["oidc_providers"])]
    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise _conversion_error(exc, values) from None  # the traceback would only say `$.port`
    _check(settings)
    return settings


_OIDC_REQUIRED = ("discovery_url", "client_id", "client_secret")
_OIDC_OPTIONAL = ("callback_url", "display_name", "trust_email_verified")


def _provider_names(names: list[str]) -> list[str]:
    for name in names:
        if not OIDC_NAME.fullmatch(name) or name in RESERVED_PROVIDER_NAMES:
            raise ConfigError(f'OIDC_PROVIDERS: "{name}" is not a usable name (lowercase letters and '
                              f"digits, not {', '.join(sorted(RESERVED_PROVIDER_NAMES))})")
    if len(set(names)) != len(names):
        raise ConfigError(f'OIDC_PROVIDERS: a name is listed twice in "{",".join(names)}"')
    return names


def _oidc_provider(name: str, raw: Mapping[str, str]) -> OidcProviderSettings:
    """<NAME>_DISCOVERY_URL... for one OIDC_PROVIDERS entry; each error names its variable."""
    prefix = name.upper()
    values: dict[str, object] = {"name": name}
    for field in (*_OIDC_REQUIRED, *_OIDC_OPTIONAL):
        value = raw.get(f"{prefix}_{field.upper()}", "")
        if value != "":
            values[field] = value
        elif field in _OIDC_REQUIRED:
            raise ConfigError(f"{prefix}_{field.upper()}: OIDC_PROVIDERS lists {name}, so it is required")
    try:
        provider = msgspec.convert(values, OidcProviderSettings, strict=False)
    except msgspec.ValidationError:  # only the bool can fail
        raise _bad(f"{name}_trust_email_verified", "true or false", values["trust_email_verified"]) from None
    _check_urls(provider, "discovery_url", "callback_url", prefix=f"{name}_")
    return provider


# msgspec's words for a type, in the operator's words.
_EXPECTED = {"int": "an integer", "bool": "true or false", "str": "text"}


def _conversion_error(exc: msgspec.ValidationError, values: Mapping[str, object]) -> ConfigError:
    """msgspec says "Expected `int`, got `str` - at `$.port`"; name the variable and its value."""
    problem, _, path = str(exc).rpartition(" - at `$.")
    field = path.rstrip("`").split("[")[0]
    if not problem or field not in values:
        return ConfigError(f"invalid configuration: {exc}")
    expected = problem.removeprefix("Expected `").partition("`")[0].removesuffix(" | null")
    return _bad(field, _EXPECTED.get(expected, problem), values[field])


def _bad(field: str, expected: str, value: object) -> ConfigError:
    if isinstance(value, (list, tuple)):
        value = ",".join(map(str, value))
    return ConfigError(f'{field.upper()}: expected {expected}, got "{value}"')


def _check(settings: Settings) -> None:
    if settings.app_env not in APP_ENVS:  # first: every later rule depends on it
        raise _bad("app_env", " or ".join(APP_ENVS), settings.app_env)
    if not 0 <= settings.port <= 65535:
        raise _bad("port", "a port number (0 to 65535)", settings.port)
    _check_observability(settings)
    for field in ("workers", "database_pool_size", "database_max_connections"):
        value = getattr(settings, field)
        if value is not None and value < 1:
            raise _bad(field, "a whole number, 1 or more", value)
    if settings.cookie_samesite not in ("lax", "strict", "none"):
        raise _bad("cookie_samesite", "lax, strict or none", settings.cookie_samesite)
    for field in ("password_hash_threads", "password_queue_limit"):
        if getattr(settings, field) < 1:
            raise _bad(field, "a whole number, 1 or more", getattr(settings, field))
    for field in ("session_ttl", "refresh_ttl", "refresh_reuse_grace", "shutdown_grace"):
        if getattr(settings, field) < 0:
            raise _bad(field, "a number of seconds, 0 or more", getattr(settings, field))
    for field in ("retention_days", "events_retention_days"):
        if getattr(settings, field) < 1:
            raise _bad(field, "a number of days, 1 or more", getattr(settings, field))
    if settings.default_phone_region not in supported_regions():
        raise _bad("default_phone_region", "a region code such as FR or US", settings.default_phone_region)
    _check_database_url(settings.database_url)
    _check_database_url(settings.database_direct_url, "DATABASE_DIRECT_URL")
    if settings.database_direct_url is not None and settings.database_url is None:
        raise ConfigError("DATABASE_DIRECT_URL: set with DATABASE_URL only (it is DATABASE_URL's "
                          "database, reached without PgBouncer)")
    _check_secret_keys(settings)
    if settings.production:
        _check_production(settings)
    _check_messages(settings)
    _check_branding(settings)
    _check_oauth2(settings)


LOG_FORMATS = ("json", "text")


def _check_observability(settings: Settings) -> None:
    """LOG_FORMAT is json or text; METRICS_PORT a port of its own: the metrics are never
    served on the public port (they tell who fails to sign in, and how often)."""
    if settings.log_format is not None and settings.log_format not in LOG_FORMATS:
        raise _bad("log_format", " or ".join(LOG_FORMATS), settings.log_format)
    port = settings.metrics_port
    if port is not None and not 1 <= port <= 65535:
        raise _bad("metrics_port", "a port number (1 to 65535)", port)
    if port is not None and port == settings.port:
        raise ConfigError(f"METRICS_PORT: {port} is PORT too; the metrics need a port of their own")


def _check_secret_keys(settings: Settings) -> None:
    """In production, SECRET_KEY and each fallback are 32 characters or more, none the
    development key (a fallback is a key that signed production data: it was one too)."""
    if not settings.production:
        return
    if settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < 32:
        raise ConfigError("SECRET_KEY: APP_ENV=production needs at least 32 random characters")
    for position, key in enumerate(settings.secret_key_fallbacks, 1):
        if key == DEV_SECRET_KEY or len(key) < 32:  # the value itself is never printed
            raise ConfigError(f"SECRET_KEY_FALLBACKS: key {position} is not 32 random characters or more")


def _check_production(settings: Settings) -> None:
    """Production means production:
    - real secret keys (_check_secret_keys);
    - DATABASE_URL: the embedded database is for development (its data lives in DATA_DIR,
      beside the code, with no backups).
    And a way to send email (_check_messages: MESSAGES_TO_LOG is false by default here, since
    a reset link printed to the log is readable by whoever reads the log)."""
    if settings.database_url is None:
        raise ConfigError("DATABASE_URL: APP_ENV=production needs a PostgreSQL database "
                          "(the embedded one is for development)")


def _check_database_url(url: str | None, name: str = "DATABASE_URL") -> None:
    """A PostgreSQL URL that parses: anything else fails at the first connection, far from
    its cause. The value is never echoed: it may hold a password."""
    if url is None:
        return
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme.lower() not in DATABASE_SCHEMES:
        got = f'a "{scheme}://" URL' if scheme and len(scheme) <= 30 else "something else"
        raise ConfigError(f"{name}: expected a postgresql://user:password@host:5432/database URL, got {got}")
    try:
        urlsplit(url).port  # noqa: B018 - parsed lazily: a port that is not a number raises here
    except ValueError as exc:
        raise ConfigError(f"{name}: cannot be read as a URL ({exc})") from None


def _check_messages(settings: Settings) -> None:
    if settings.default_locale not in ("fr", "en"):
        raise _bad("default_locale", "fr or en", settings.default_locale)
    _check_urls(settings, "sendgrid_base_url", "twilio_base_url")
    if settings.sendgrid_enabled and not settings.email_from:
        raise ConfigError("EMAIL_FROM: SENDGRID_API_KEY is set, so a verified sender address is needed")
    if not (settings.sendgrid_enabled or settings.print_messages):  # emails are not optional
        why = "APP_ENV=production" if settings.messages_to_log is None else "MESSAGES_TO_LOG=false"
        raise ConfigError(f"SENDGRID_API_KEY: with {why}, emails need SendGrid (set it and EMAIL_FROM), "
                          "or MESSAGES_TO_LOG=true to print them to the log instead")
    if bool(settings.twilio_account_sid) != bool(settings.twilio_auth_token):
        raise ConfigError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither")
    whatsapp_from = settings.twilio_whatsapp_from
    if settings.twilio_enabled and not whatsapp_from:
        raise ConfigError("TWILIO_WHATSAPP_FROM: Twilio is configured, so a sender number (+E164) is needed")
    if whatsapp_from and not E164.fullmatch(whatsapp_from.removeprefix("whatsapp:")):
        raise _bad("twilio_whatsapp_from", "a number in E.164 form (+14155238886)", whatsapp_from)


def _check_branding(settings: Settings) -> None:
    """APP_NAME: visible text, on one line, of at most MAX_APP_NAME characters. MAIL_LOGO_URL:
    the rule of a profile photo (https, a real host, nothing that could end an HTML
    attribute; http://localhost in development only). TEMPLATES_DIR: a directory whose
    templates all render (infrastructure.messaging.template_check)."""
    name = settings.app_name
    if not name.strip() or len(name) > MAX_APP_NAME or not _visible(name):
        shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)  # the line stays one
        raise _bad("app_name", f"a name of 1 to {MAX_APP_NAME} visible characters, on one line", shown)
    if settings.mail_logo_url is not None:
        _check_logo(settings.mail_logo_url, local_http=not settings.production)
    if settings.templates_dir is not None:
        _check_templates(settings)


def _visible(text: str) -> bool:
    try:
        visible_text("app_name", text)
    except InvalidInput:
        return False
    return True


def _check_logo(url: str, *, local_http: bool) -> None:
    try:
        photo_url(url, local_http=local_http)
    except InvalidInput as exc:
        # The photo rule words it for a profile ("must be an https URL"): keep its reason.
        raise ConfigError(f'MAIL_LOGO_URL: {exc.message}, got "{url}"') from None


def _check_templates(settings: Settings) -> None:
    """Jinja is imported only here: a process without TEMPLATES_DIR checks nothing (the
    shipped templates are tested, and a name or a URL cannot break them)."""
    if not Path(settings.templates_dir or "").is_dir():
        raise _bad("templates_dir", "a directory", settings.templates_dir)
    from infrastructure.messaging.rendering import Branding
    from infrastructure.messaging.template_check import TemplateProblem, check_templates

    try:
        check_templates(settings.templates_dir, Branding(settings.app_name, settings.mail_logo_url))
    except TemplateProblem as exc:
        raise ConfigError(f"TEMPLATES_DIR: {exc}") from None


def _check_oauth2(settings: Settings) -> None:
    """Each built-in provider's id and secret go together: one alone would leave the
    provider silently off (or, for Google, answering 503 provider_not_configured)."""
    for provider in ("google", "facebook", "github"):
        if bool(getattr(settings, f"{provider}_client_id")) != bool(getattr(settings, f"{provider}_client_secret")):
            name = provider.upper()
            raise ConfigError(f"{name}_CLIENT_ID and {name}_CLIENT_SECRET: set both or neither")
    _check_urls(settings, "facebook_authorize_url", "facebook_graph_url", "github_oauth_url", "github_api_url")


def _check_urls(settings: object, *fields: str, prefix: str = "") -> None:
    for field in fields:
        url = getattr(settings, field)
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise _bad(prefix + field, "an http(s) URL", url)


def load_settings_or_exit(defaults: Mapping[str, str] | None = None) -> Settings:
    """The settings, or one line naming the bad variable and exit: a traceback would
    bury the one thing the operator must fix."""
    try:
        return load_settings(defaults=defaults)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE_EXIT) from None


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
