"""Whose service this is (README "Messages"): the name every message and the OpenAPI title
show, a logo for the HTML emails, and a folder of templates overriding ours."""

from pathlib import Path

import msgspec

from domain.credentials import visible_text
from domain.errors import InvalidInput
from domain.profile import photo_url
from infrastructure.settings.environment import ConfigError, bad, variable

DEFAULT_APP_NAME = "Sésame"
MAX_APP_NAME = 60  # fits a subject line and a phone's notification


class BrandingSettings(msgspec.Struct, frozen=True, kw_only=True):
    app_name: str = variable("APP_NAME", DEFAULT_APP_NAME)
    mail_logo_url: str | None = variable("MAIL_LOGO_URL", None)  # https (http://localhost too in development)
    templates_dir: str | None = variable("TEMPLATES_DIR", None)  # its fr/ and en/ files replace the shipped ones
    mfa_issuer: str | None = variable("MFA_ISSUER", None)  # authenticator apps' name for us; unset: APP_NAME

    @property
    def issuer(self) -> str:
        return self.mfa_issuer if self.mfa_issuer is not None else self.app_name


def check_branding(branding: BrandingSettings, *, production: bool) -> None:
    """APP_NAME, and MFA_ISSUER when set: visible text, on one line, of at most MAX_APP_NAME
    characters. MAIL_LOGO_URL:
    the rule of a profile photo (https, a real host, nothing that could end an HTML
    attribute; http://localhost in development only). TEMPLATES_DIR: a directory whose
    templates all render (infrastructure.messaging.template_check)."""
    _check_name("APP_NAME", branding.app_name)
    if branding.mfa_issuer is not None:
        _check_name("MFA_ISSUER", branding.mfa_issuer)
    if branding.mail_logo_url is not None:
        _check_logo(branding.mail_logo_url, local_http=not production)
    if branding.templates_dir is not None:
        _check_templates(branding)


def _check_name(variable_name: str, name: str) -> None:
    if not name.strip() or len(name) > MAX_APP_NAME or not _visible(name):
        shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)  # the line stays one
        raise bad(variable_name, f"a name of 1 to {MAX_APP_NAME} visible characters, on one line", shown)


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


def _check_templates(branding: BrandingSettings) -> None:
    """Jinja is imported only here: a process without TEMPLATES_DIR checks nothing (the
    shipped templates are tested, and a name or a URL cannot break them)."""
    if not Path(branding.templates_dir or "").is_dir():
        raise bad("TEMPLATES_DIR", "a directory", branding.templates_dir)
    from infrastructure.messaging.rendering import Branding
    from infrastructure.messaging.template_check import TemplateProblem, check_templates

    try:
        check_templates(branding.templates_dir, Branding(branding.app_name, branding.mail_logo_url))
    except TemplateProblem as exc:
        raise ConfigError(f"TEMPLATES_DIR: {exc}") from None
