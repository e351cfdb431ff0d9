"""Production that lets breached passwords in is said at start, in one warning line."""

import logging

import pytest

from infrastructure.settings import load_settings
from infrastructure.settings.passwords import password_warnings
from web.app import create_app

PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame",
              "MESSAGES_TO_LOG": "true"}


def breach_warnings(caplog, **env: str) -> list[str]:
    """The warning lines about PASSWORD_BREACH_CHECK that building the app wrote (others,
    such as WhatsApp without Twilio, are not this test's)."""
    caplog.set_level(logging.WARNING, logger="sesame")
    create_app(load_settings(env, env_file="/nonexistent/.env"))
    return [r.getMessage() for r in caplog.records
            if r.name == "sesame" and r.levelno == logging.WARNING and "PASSWORD_BREACH_CHECK" in r.getMessage()]


def test_production_without_the_breach_check_warns_once_at_start_how_to_turn_it_on(caplog):
    [warning] = breach_warnings(caplog, **PRODUCTION)
    assert warning.startswith("PASSWORD_BREACH_CHECK is off in production")
    assert "not refused" in warning and "PASSWORD_BREACH_CHECK=true" in warning and "\n" not in warning


def test_production_with_the_breach_check_starts_without_warnings(caplog):
    assert breach_warnings(caplog, **PRODUCTION, PASSWORD_BREACH_CHECK="true") == []


@pytest.mark.parametrize("check", ["false", "true"])
def test_development_never_warns_about_the_breach_check(caplog, check):
    assert breach_warnings(caplog, PASSWORD_BREACH_CHECK=check) == []


@pytest.mark.parametrize(("check", "production", "warned"), [
    (False, True, True), (True, True, False), (False, False, False), (True, False, False),
])
def test_only_production_without_the_check_is_warned(check, production, warned):
    settings = load_settings({"PASSWORD_BREACH_CHECK": str(check).lower()}, env_file="/nonexistent/.env")
    assert bool(password_warnings(settings.passwords, production)) is warned
