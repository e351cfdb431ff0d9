import pytest

from infrastructure.persistence.engine import asyncpg_url
from infrastructure.settings import DEV_SECRET_KEY, ConfigError, load_settings


def settings(**env):
    return load_settings(env, env_file="/nonexistent")


GOOGLE = {"GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": "secret"}


def test_defaults_follow_the_contract():
    s = settings()
    assert (s.serving.port, s.serving.frontend_origin) == (4000, "http://localhost:3000")
    assert (s.sessions.session_ttl, s.sessions.refresh_ttl, s.sessions.refresh_reuse_grace) == (900, 2_592_000, 10)
    assert s.database.url is None and s.migrate_on_start and not s.production


def test_breached_passwords_are_not_checked_by_default_and_the_public_range_api_is_asked():
    passwords = settings().passwords
    assert (passwords.breach_check, passwords.pwned_passwords_url) == (
        False, "https://api.pwnedpasswords.com/range/"
    )


def test_the_api_is_on_localhost_by_default_the_frontend_s_site():
    s = settings(**GOOGLE)
    assert s.serving.host == "localhost" and s.serving.api_url == "http://localhost:4000"
    assert s.providers["google"].callback_url == "http://localhost:4000/auth/google/callback"


@pytest.mark.parametrize(("env", "api_url"), [
    ({"HOST": "127.0.0.1", "PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"HOST": "0.0.0.0"}, "http://localhost:4000"),  # a wildcard is not an address to browse to
    ({"HOST": "::1"}, "http://[::1]:4000"),
    ({"GOOGLE_CALLBACK_URL": "https://api.example.com/auth/google/callback"}, "https://api.example.com"),
    ({"PUBLIC_URL": "https://api.example.com/", "HOST": "0.0.0.0"}, "https://api.example.com"),
])
def test_the_api_url_is_where_browsers_reach_it(env, api_url):
    assert settings(**env).serving.api_url == api_url


def test_the_google_callback_follows_the_public_url():
    s = settings(PUBLIC_URL="https://api.example.com", **GOOGLE)
    assert s.providers["google"].callback_url == "https://api.example.com/auth/google/callback"


def test_values_are_converted_from_strings():
    s = settings(PORT="8100", ALLOWED_ORIGINS="https://a.example, https://b.example",
                 RATE_LIMIT_ENABLED="false", RUN_MIGRATIONS="false")
    assert s.serving.port == 8100 and not s.limits.rate_limit_enabled and not s.migrate_on_start
    assert s.serving.cors_origins == ["http://localhost:3000", "https://a.example", "https://b.example"]


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nPORT=5000\nexport FRONTEND_ORIGIN='https://app.example'\n")
    s = load_settings({"PORT": "6000"}, env_file=str(env_file))
    assert (s.serving.port, s.serving.frontend_origin) == (6000, "https://app.example")


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


@pytest.mark.parametrize(("env", "line"), [
    ({"PORT": "abc"}, 'PORT: expected an integer, got "abc"'),
    ({"PORT": "70000"}, 'PORT: expected a port number (0 to 65535), got "70000"'),
    ({"DATABASE_POOL_SIZE": "1.5"}, 'DATABASE_POOL_SIZE: expected an integer, got "1.5"'),
    ({"RATE_LIMIT_ENABLED": "maybe"}, 'RATE_LIMIT_ENABLED: expected true or false, got "maybe"'),
    ({"RUN_MIGRATIONS": "perhaps"}, 'RUN_MIGRATIONS: expected true or false, got "perhaps"'),
    ({"COOKIE_SAMESITE": "sometimes"}, 'COOKIE_SAMESITE: expected lax, strict or none, got "sometimes"'),
    ({"SESSION_TTL": "-1"}, 'SESSION_TTL: expected a number of seconds, 0 or more, got "-1"'),
    ({"REAUTH_MAX_AGE": "0"}, 'REAUTH_MAX_AGE: expected a number of seconds, 1 or more, got "0"'),
    ({"APP_ENV": "production"}, "SECRET_KEY: APP_ENV=production needs at least 32 random characters"),
    ({"PASSWORD_BREACH_CHECK": "yes please"}, 'PASSWORD_BREACH_CHECK: expected true or false, got "yes please"'),
    ({"PWNED_PASSWORDS_URL": "api.pwnedpasswords.com/range/"},
     'PWNED_PASSWORDS_URL: expected an http(s) URL, got "api.pwnedpasswords.com/range/"'),
    ({"PWNED_PASSWORDS_URL": "https://api.pwnedpasswords.com/range"},
     'PWNED_PASSWORDS_URL: expected a URL ending in / (the prefix is appended), '
     'got "https://api.pwnedpasswords.com/range"'),
])
def test_a_configuration_error_is_one_line_naming_the_variable(env, line):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    assert str(error.value) == line


# What production needs besides APP_ENV: a real secret, a database, a way to send email.
PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame",
              "SENDGRID_API_KEY": "SG.x", "EMAIL_FROM": "no-reply@example.com"}


def test_production_with_a_real_secret_starts_without_migrations():
    s = settings(**PRODUCTION)
    assert s.production and not s.migrate_on_start


@pytest.mark.parametrize("app_env", ["prod", "Production", "staging", "test", "dev"])
def test_app_env_is_development_or_production_and_nothing_else(app_env):
    """A typo must not start production as development, with the development secret."""
    with pytest.raises(ConfigError) as error:
        settings(APP_ENV=app_env)
    assert str(error.value) == f'APP_ENV: expected development or production, got "{app_env}"'


def test_production_refuses_the_embedded_database():
    with pytest.raises(ConfigError) as error:
        settings(**{**PRODUCTION, "DATABASE_URL": ""})
    assert str(error.value) == (
        "DATABASE_URL: APP_ENV=production needs a PostgreSQL database (the embedded one is for development)")


def test_production_refuses_to_print_emails_unless_told_to():
    without_sendgrid = {**PRODUCTION, "SENDGRID_API_KEY": "", "EMAIL_FROM": ""}
    with pytest.raises(ConfigError) as error:
        settings(**without_sendgrid)
    assert str(error.value) == (
        "SENDGRID_API_KEY: with APP_ENV=production, emails need SendGrid (set it and EMAIL_FROM), "
        "or MESSAGES_TO_LOG=true to print them to the log instead")
    s = settings(**without_sendgrid, MESSAGES_TO_LOG="true")
    assert s.print_messages and not s.messaging.sendgrid.enabled


def test_messages_to_log_is_on_in_development_and_off_in_production():
    assert settings().print_messages
    assert not settings(**PRODUCTION).print_messages
    assert settings(MESSAGES_TO_LOG="false", SENDGRID_API_KEY="SG.x", EMAIL_FROM="a@example.com").print_messages is False
    with pytest.raises(ConfigError, match="^SENDGRID_API_KEY: with MESSAGES_TO_LOG=false, emails need SendGrid"):
        settings(MESSAGES_TO_LOG="false")


TWILIO = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_WHATSAPP_FROM": "+14155238886"}


@pytest.mark.parametrize(("env", "whatsapp"), [
    ({}, True),  # development prints the codes
    (TWILIO, True),
    ({"MESSAGES_TO_LOG": "false", "SENDGRID_API_KEY": "SG.x", "EMAIL_FROM": "a@example.com"}, False),
    (PRODUCTION, False),  # production never prints a WhatsApp code...
    ({**PRODUCTION, "MESSAGES_TO_LOG": "true"}, False),  # ...even when it prints emails
    ({**PRODUCTION, **TWILIO}, True),
])
def test_whatsapp_is_twilio_or_in_development_the_log(env, whatsapp):
    assert settings(**env).whatsapp_enabled is whatsapp


@pytest.mark.parametrize(("url", "line"), [
    ("mysql://root:hunter2@db/sesame",
     'DATABASE_URL: expected a postgresql://user:password@host:5432/database URL, got a "mysql://" URL'),
    ("sqlite:///sesame.db",
     'DATABASE_URL: expected a postgresql://user:password@host:5432/database URL, got a "sqlite://" URL'),
    ("db.example.com/sesame",
     "DATABASE_URL: expected a postgresql://user:password@host:5432/database URL, got something else"),
    ("postgresql://u:hunter2@db:port/sesame",
     "DATABASE_URL: cannot be read as a URL (Port could not be cast to integer value as 'port')"),
    ("postgresql://u:hunter2@[::1/sesame", "DATABASE_URL: cannot be read as a URL (Invalid IPv6 URL)"),
])
def test_a_database_url_that_is_not_postgresql_is_one_line_without_its_password(url, line):
    with pytest.raises(ConfigError) as error:
        settings(DATABASE_URL=url)
    assert str(error.value) == line and "hunter2" not in line


@pytest.mark.parametrize("url", [
    "postgresql://u:p@db:5432/sesame", "postgres://db/sesame", "postgresql+asyncpg://db/sesame",
    "postgresql:///sesame?host=/var/run/postgresql",
])
def test_postgresql_urls_in_their_usual_forms_are_accepted(url):
    assert settings(DATABASE_URL=url).database.url == url


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
])
def test_database_urls_use_asyncpg(url, expected):
    assert asyncpg_url(url) == expected


def test_messages_go_to_the_log_by_default_in_french_from_this_process():
    s = settings()
    assert (s.messaging.default_locale, s.messaging.outbox_dispatcher) == ("fr", True)
    sendgrid, twilio = s.messaging.sendgrid, s.messaging.twilio
    assert not sendgrid.enabled and not twilio.enabled
    assert (sendgrid.base_url, twilio.base_url) == ("https://api.sendgrid.com", "https://api.twilio.com")


@pytest.mark.parametrize(("env", "line"), [
    ({"DEFAULT_LOCALE": "de"}, 'DEFAULT_LOCALE: expected fr or en, got "de"'),
    ({"OUTBOX_DISPATCHER": "sometimes"}, 'OUTBOX_DISPATCHER: expected true or false, got "sometimes"'),
    ({"SENDGRID_BASE_URL": "api.sendgrid.com"},
     'SENDGRID_BASE_URL: expected an http(s) URL, got "api.sendgrid.com"'),
    ({"SENDGRID_API_KEY": "SG.x"},
     "EMAIL_FROM: SENDGRID_API_KEY is set, so a verified sender address is needed"),
    ({"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither"),
    ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
     "TWILIO_WHATSAPP_FROM: Twilio is configured, so a sender number (+E164) is needed"),
    ({"TWILIO_WHATSAPP_FROM": "0612345678"},
     'TWILIO_WHATSAPP_FROM: expected a number in E.164 form (+14155238886), got "0612345678"'),
])
def test_a_message_setting_error_is_one_line_naming_the_variable(env, line):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    assert str(error.value) == line


def test_providers_are_enabled_by_their_credentials():
    s = settings(SENDGRID_API_KEY="SG.x", EMAIL_FROM="no-reply@example.com", TWILIO_ACCOUNT_SID="AC1",
                 TWILIO_AUTH_TOKEN="t", TWILIO_WHATSAPP_FROM="whatsapp:+14155238886")
    assert s.messaging.sendgrid.enabled and s.messaging.twilio.enabled


def test_facebook_and_github_are_off_by_default_with_the_documented_endpoints():
    assert settings().providers == {}
    s = settings(FACEBOOK_CLIENT_ID="i", FACEBOOK_CLIENT_SECRET="s", GITHUB_CLIENT_ID="i", GITHUB_CLIENT_SECRET="s")
    facebook, github = s.providers["facebook"], s.providers["github"]
    assert facebook.authorize_url == "https://www.facebook.com/v26.0/dialog/oauth"
    assert facebook.graph_url == "https://graph.facebook.com/v26.0"
    assert (github.oauth_url, github.api_url) == ("https://github.com/login/oauth", "https://api.github.com")
    assert list(settings(GITHUB_CLIENT_ID="i", GITHUB_CLIENT_SECRET="s").providers) == ["github"]


def test_oidc_providers_are_read_from_their_own_variables():
    s = settings(OIDC_PROVIDERS="Acme, corp", ACME_DISCOVERY_URL="https://acme.example/.well-known/openid-configuration",
                 ACME_CLIENT_ID="a", ACME_CLIENT_SECRET="as", ACME_TRUST_EMAIL_VERIFIED="true",
                 CORP_DISCOVERY_URL="https://corp.example/d", CORP_CLIENT_ID="c", CORP_CLIENT_SECRET="cs",
                 CORP_DISPLAY_NAME="Corp SSO", CORP_CALLBACK_URL="https://api.example/auth/corp/callback")
    assert list(s.providers) == ["acme", "corp"]
    acme, corp = s.providers.values()
    assert (acme.name, acme.client_id, acme.trust_email_verified, acme.title) == ("acme", "a", True, "Acme")
    assert (corp.title, corp.trust_email_verified, corp.callback_url) == (
        "Corp SSO", False, "https://api.example/auth/corp/callback")


OIDC_ACME = {"OIDC_PROVIDERS": "acme", "ACME_DISCOVERY_URL": "https://acme.example/d",
             "ACME_CLIENT_ID": "a", "ACME_CLIENT_SECRET": "s"}


@pytest.mark.parametrize(("env", "line"), [
    ({"GOOGLE_CLIENT_ID": "x"}, "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET: set both or neither"),
    ({"GOOGLE_CLIENT_SECRET": "x"}, "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET: set both or neither"),
    ({"FACEBOOK_CLIENT_ID": "x"}, "FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET: set both or neither"),
    ({"GITHUB_CLIENT_SECRET": "x"}, "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set both or neither"),
    ({"FACEBOOK_GRAPH_URL": "graph.facebook.com"},
     'FACEBOOK_GRAPH_URL: expected an http(s) URL, got "graph.facebook.com"'),
    ({**OIDC_ACME, "ACME_CLIENT_SECRET": ""}, "ACME_CLIENT_SECRET: OIDC_PROVIDERS lists acme, so it is required"),
    ({**OIDC_ACME, "ACME_TRUST_EMAIL_VERIFIED": "maybe"},
     'ACME_TRUST_EMAIL_VERIFIED: expected true or false, got "maybe"'),
    ({**OIDC_ACME, "ACME_DISCOVERY_URL": "acme.example"}, 'ACME_DISCOVERY_URL: expected an http(s) URL, got "acme.example"'),
    ({**OIDC_ACME, "OIDC_PROVIDERS": "acme,acme"}, 'OIDC_PROVIDERS: a name is listed twice in "acme,acme"'),
])
def test_a_provider_setting_error_is_one_line_naming_the_variable(env, line):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    assert str(error.value) == line


@pytest.mark.parametrize("name", ["google", "providers", "accounts", "my-idp", "9lives"])
def test_an_oidc_provider_cannot_take_a_route_s_or_a_built_in_provider_s_name(name):
    with pytest.raises(ConfigError, match=f'^OIDC_PROVIDERS: "{name}" is not a usable name'):
        settings(OIDC_PROVIDERS=name)


def test_each_worker_gets_the_pool_size_without_a_budget():
    s = settings(WORKERS="4", DATABASE_POOL_SIZE="10")
    assert (s.pool_size, s.connections_needed) == (10, 4 * (10 + 1))  # + the outbox listener


@pytest.mark.parametrize(("env", "pool", "needed"), [
    ({"WORKERS": "4", "DATABASE_MAX_CONNECTIONS": "90"}, 21, 88),  # 90 // 4 = 22, less the listener
    ({"WORKERS": "4", "DATABASE_MAX_CONNECTIONS": "90", "OUTBOX_DISPATCHER": "false"}, 22, 88),
    ({"WORKERS": "8", "DATABASE_MAX_CONNECTIONS": "10"}, 1, 16),  # never below one: the warning says so
])
def test_a_connection_budget_is_shared_out_among_the_workers(env, pool, needed):
    s = settings(**env)
    assert (s.pool_size, s.connections_needed) == (pool, needed)


@pytest.mark.parametrize("variable", ["WORKERS", "DATABASE_POOL_SIZE", "DATABASE_MAX_CONNECTIONS"])
def test_process_and_connection_counts_must_be_positive(variable):
    with pytest.raises(ConfigError, match=f'{variable}: expected a whole number, 1 or more, got "0"'):
        settings(**{variable: "0"})


def test_defaults_fill_what_neither_the_environment_nor_the_file_sets(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("WORKERS=3\n")
    preset = {**PRODUCTION, "WORKERS": "8"}
    s = load_settings({}, env_file=str(env_file), defaults=preset)
    assert (s.production, s.serving.workers) == (True, 3)
    assert load_settings({"WORKERS": "5"}, env_file=str(env_file), defaults=preset).serving.workers == 5


def test_messages_speak_in_sesame_s_name_by_default_without_a_logo_or_overrides():
    branding = settings().branding
    assert (branding.app_name, branding.mail_logo_url, branding.templates_dir) == ("Sésame", None, None)
    branding = settings(APP_NAME="Acme Corp", MAIL_LOGO_URL="https://cdn.acme.example/logo.png").branding
    assert (branding.app_name, branding.mail_logo_url) == ("Acme Corp", "https://cdn.acme.example/logo.png")


def test_authenticator_apps_show_mfa_issuer_else_app_name():
    assert settings().branding.issuer == "Sésame"
    assert settings(APP_NAME="Acme Corp").branding.issuer == "Acme Corp"
    assert settings(APP_NAME="Acme Corp", MFA_ISSUER="Acme SSO").branding.issuer == "Acme SSO"


def test_a_local_http_logo_is_for_development_only():
    logo = "http://localhost:3000/logo.png"
    assert settings(MAIL_LOGO_URL=logo).branding.mail_logo_url == logo
    with pytest.raises(ConfigError, match="^MAIL_LOGO_URL: must be an https URL"):
        settings(MAIL_LOGO_URL="http://localhost:3000/logo.png", APP_ENV="production", SECRET_KEY="k" * 40,
                 DATABASE_URL="postgresql://db.example/sesame", MESSAGES_TO_LOG="true")


@pytest.mark.parametrize(("env", "line"), [
    ({"APP_NAME": "A" * 61}, "APP_NAME: expected a name of 1 to 60 visible characters, on one line"),
    ({"APP_NAME": "Acme\nInc"}, 'APP_NAME: expected a name of 1 to 60 visible characters, on one line, got "Acme\\u000aInc"'),
    ({"APP_NAME": "Acme\u200b"}, "APP_NAME: expected a name"),  # invisible
    ({"APP_NAME": "   "}, "APP_NAME: expected a name"),
    ({"MFA_ISSUER": "Acme\nInc"}, "MFA_ISSUER: expected a name of 1 to 60 visible characters, on one line"),
    ({"MFA_ISSUER": "   "}, "MFA_ISSUER: expected a name"),
    ({"MAIL_LOGO_URL": "http://cdn.acme.example/logo.png"}, 'MAIL_LOGO_URL: must be an https URL, got "http'),
    ({"MAIL_LOGO_URL": 'https://cdn.acme.example/"onerror="x'}, "MAIL_LOGO_URL: must not contain quotes"),
    ({"MAIL_LOGO_URL": "logo.png"}, "MAIL_LOGO_URL: must be a URL with a host"),
])
def test_a_branding_error_is_one_line_naming_the_variable(env, line):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    assert str(error.value).startswith(line) and "\n" not in str(error.value)


def test_pgbouncer_is_off_by_default_and_the_dispatcher_listens_on_database_url():
    s = settings(DATABASE_URL="postgresql://db/sesame")
    assert (s.database.pgbouncer, s.database.direct_url, s.listens, s.listener_connections) == (
        False, None, True, 1)


@pytest.mark.parametrize(("env", "listens", "needed"), [
    ({}, False, 2 * 10),  # through PgBouncer, no direct connection: the dispatcher polls
    ({"DATABASE_DIRECT_URL": "postgresql://db:5432/sesame"}, True, 2 * (10 + 1)),
    ({"OUTBOX_DISPATCHER": "false", "DATABASE_DIRECT_URL": "postgresql://db:5432/sesame"}, False, 2 * 10),
])
def test_behind_pgbouncer_the_dispatcher_listens_only_on_a_direct_url(env, listens, needed):
    s = settings(DATABASE_URL="postgresql://bouncer:6432/sesame", DATABASE_PGBOUNCER="true",
                 WORKERS="2", DATABASE_POOL_SIZE="10", **env)
    assert s.database.pgbouncer and (s.listens, s.connections_needed) == (listens, needed)


@pytest.mark.parametrize(("env", "line"), [
    ({"DATABASE_URL": "postgresql://bouncer/x", "DATABASE_DIRECT_URL": "mysql://db/x"},
     'DATABASE_DIRECT_URL: expected a postgresql://user:password@host:5432/database URL, got a "mysql://" URL'),
    ({"DATABASE_DIRECT_URL": "postgresql://db/x"}, "DATABASE_DIRECT_URL: set with DATABASE_URL only"),
    ({"DATABASE_PGBOUNCER": "maybe"}, 'DATABASE_PGBOUNCER: expected true or false'),
])
def test_pgbouncer_settings_errors_name_the_variable(env, line):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    assert str(error.value).startswith(line), str(error.value)


def test_shutdown_grace_is_ten_seconds_unless_set_and_never_negative():
    assert settings().serving.shutdown_grace == 10 and settings(SHUTDOWN_GRACE="2.5").serving.shutdown_grace == 2.5
    with pytest.raises(ConfigError) as error:
        settings(SHUTDOWN_GRACE="-1")
    assert str(error.value) == 'SHUTDOWN_GRACE: expected a number of seconds, 0 or more, got "-1.0"'
