"""Settings become the application's rules in one place (web.composition.policies)."""

from datetime import timedelta

from application.policy import LoginLimits, RecoveryPolicy, SecondFactorPolicy
from infrastructure.settings import load_settings
from web.composition.policies import policies

PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame",
              "SENDGRID_API_KEY": "SG.x", "EMAIL_FROM": "no-reply@example.com"}


def rules(**env):
    return policies(load_settings(env, env_file="/nonexistent"))


def test_the_session_lifetimes_come_from_their_variables():
    sessions = rules(SESSION_TTL="60", REFRESH_TTL="3600", REFRESH_REUSE_GRACE="2").sessions
    assert (sessions.session_ttl, sessions.refresh_ttl, sessions.reuse_grace) == (
        timedelta(seconds=60), timedelta(hours=1), timedelta(seconds=2))


def test_the_default_locale_and_whatsapp_are_one_value_for_every_use_case():
    development = rules(DEFAULT_LOCALE="en")
    assert (development.default_locale, development.phone_codes.default_locale) == ("en", "en")
    assert development.whatsapp and development.phone_codes.whatsapp
    production = rules(**PRODUCTION)  # no Twilio: WhatsApp is off, never printed
    assert (production.default_locale, production.whatsapp) == ("fr", False)


def test_the_profile_rules_follow_the_region_and_the_environment():
    assert (rules(DEFAULT_PHONE_REGION="US").profile.phone_region, rules().profile.local_http_photos) == ("US", True)
    assert rules(**PRODUCTION).profile.local_http_photos is False


def test_the_second_factor_speaks_in_the_issuers_name_and_freshness_lasts_reauth_max_age():
    assert rules().second_factor.issuer == "Sésame" and rules().freshness.max_age == timedelta(seconds=600)
    tuned = rules(MFA_ISSUER="Acme", REAUTH_MAX_AGE="300")
    assert (tuned.second_factor.issuer, tuned.freshness.max_age) == ("Acme", timedelta(minutes=5))


def test_the_rules_the_contract_fixes_keep_their_values():
    fixed = rules(**PRODUCTION)
    assert (fixed.login, fixed.recovery) == (LoginLimits(), RecoveryPolicy())
    assert fixed.second_factor == SecondFactorPolicy()
