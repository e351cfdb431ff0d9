"""Jinja2 templates (package data, templates/<locale>/) turned into what a sender sends.

HTML is autoescaped; the text parts (subject, text, WhatsApp) are plain text and are not, so
a value shows as typed there. Every template name fails loudly (StrictUndefined) on a value it
lacks: a message with a missing value is a bug to fail at once, not an email with a hole.

What every template receives, beside its message's values and secrets (NEEDS):
- `app_name`: APP_NAME, the name the messages speak in (default Sésame);
- `logo_url`: MAIL_LOGO_URL, or None (the HTML layout shows the logo only when set);
- `link`: the frontend page with the token, for the templates that carry one;
- `subject` (HTML only): the rendered subject, for the page's <title>, escaped there.
The files come from template_sources: the shipped ones, or their TEMPLATES_DIR overrides."""

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, select_autoescape

from application.ports.messages import (
    ACCOUNT_DELETED,
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    IDENTIFIER_LOCKED,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    PHONE_CODE,
    RECOVERY_CODE_USED,
    SECOND_FACTOR_CHANGED,
    SECOND_STEP_FAILED,
    SECOND_FACTOR_CHANGES,
    VERIFY_EMAIL,
    Message,
)
from infrastructure.messaging.template_sources import template_loader

LOCALES = ("fr", "en")

# The page of the frontend a template's link opens (the contract's "Messages sent to users").
LINK_PAGES = {
    VERIFY_EMAIL: "/verify-email",
    EMAIL_CHANGE: "/verify-email",
    EMAIL_CHANGE_NOTICE: "/secure-account",
    PASSWORD_RESET: "/reset-password",
    PASSWORD_CHANGED: "/secure-account",
    NEW_DEVICE: "/secure-account",
    IDENTIFIER_LOCKED: "/unlock",
    SECOND_FACTOR_CHANGED: "/secure-account",
    RECOVERY_CODE_USED: "/secure-account",
    SECOND_STEP_FAILED: "/secure-account",
}


@dataclass(frozen=True, slots=True)
class Needs:
    values: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ("token",)
    optional_values: tuple[str, ...] = ()


# What each template needs from Message.values and Message.secrets.
NEEDS: Mapping[str, Needs] = {
    VERIFY_EMAIL: Needs(),
    EMAIL_CHANGE: Needs(),
    # new_email: the new address, masked (n***@example.com); stage: "requested" (default) or "confirmed"
    EMAIL_CHANGE_NOTICE: Needs(values=("new_email",), optional_values=("stage",)),
    PASSWORD_RESET: Needs(),
    PHONE_CODE: Needs(secrets=("code",)),
    PASSWORD_CHANGED: Needs(values=("when",)),
    NEW_DEVICE: Needs(values=("when", "ip", "browser")),
    IDENTIFIER_LOCKED: Needs(),
    # change: one of SECOND_FACTOR_CHANGES (default the first, totp_on)
    SECOND_FACTOR_CHANGED: Needs(values=("when",), optional_values=("change",)),
    RECOVERY_CODE_USED: Needs(values=("when", "remaining")),  # remaining: how many codes are left
    # method: the first factor that was right, "password" (default) or a provider's name
    SECOND_STEP_FAILED: Needs(values=("when", "ip", "browser"), optional_values=("method",)),
    ACCOUNT_DELETED: Needs(values=("when",), secrets=()),  # no link: the account is gone
}
DEFAULTS = {"stage": "requested", "change": SECOND_FACTOR_CHANGES[0], "method": "password"}


@dataclass(frozen=True, slots=True)
class Branding:
    """Whose messages these are: APP_NAME and MAIL_LOGO_URL (already checked by the settings)."""

    app_name: str = "Sésame"
    logo_url: str | None = None


class RenderError(Exception):
    """The message cannot be rendered (unknown template, locale or channel, a value missing):
    sending it again would fail again."""


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # the text part of an email, or the WhatsApp text
    subject: str | None = None  # email only
    html: str | None = None  # email only


class Renderer:
    def __init__(
        self, frontend_origin: str, default_locale: str = "fr", *,
        branding: Branding = Branding(), templates_dir: str | None = None,
    ) -> None:
        self._frontend = frontend_origin.rstrip("/")
        self._default_locale = default_locale
        self._branding = branding
        self._env = Environment(
            loader=template_loader(templates_dir),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            auto_reload=False,  # an override edited later waits for a restart, and its check
        )

    def render(self, message: Message) -> Rendered:
        needs = NEEDS.get(message.template)
        if needs is None:
            raise RenderError(f"unknown template {message.template!r}")
        missing = [k for k in needs.values if k not in message.values]
        missing += [k for k in needs.secrets if k not in message.secrets]
        if missing:
            raise RenderError(f"{message.template}: missing {', '.join(missing)}")
        context = self._context(message, needs)
        name = f"{self._locale(message.locale)}/{message.template}"
        if message.channel == "email":
            subject = self._render(f"{name}.subject.txt", context).strip()
            return Rendered(
                subject=subject,
                text=self._render(f"{name}.txt", context),
                html=self._render(f"{name}.html", {**context, "subject": subject}),
            )
        if message.channel == "whatsapp":
            return Rendered(text=self._render(f"{name}.whatsapp.txt", context))
        raise RenderError(f"unknown channel {message.channel!r}")

    def branded(self, branding: Branding) -> "Renderer":
        """The same templates, compiled once, for another brand (the start-up check's)."""
        other = copy.copy(self)
        other._branding = branding
        return other

    def link(self, template: str, token: str) -> str:
        return f"{self._frontend}{LINK_PAGES[template]}?token={quote(token, safe='')}"

    def _context(self, message: Message, needs: Needs) -> dict[str, str | None]:
        context: dict[str, str | None] = {**DEFAULTS, **message.values, **message.secrets}
        if "token" in needs.secrets:
            context["link"] = self.link(message.template, message.secrets["token"])
        # Last: a message value of the same name cannot change whose message it is.
        context.update(app_name=self._branding.app_name, logo_url=self._branding.logo_url)
        return context

    def _locale(self, locale: str) -> str:
        return locale if locale in LOCALES else self._default_locale

    def _render(self, name: str, context: Mapping[str, str | None]) -> str:
        """RenderError names the file (TemplateNotFound too: no such form on this channel)."""
        try:
            return self._env.get_template(name).render(context)
        except TemplateError as exc:
            raise RenderError(problem_in(name, exc)) from exc


def problem_in(name: str, exc: TemplateError) -> str:
    """One line, starting with the file at fault and its line: Jinja prints a syntax error on
    several lines, and the file at fault may be one that `name` extends or includes."""
    if isinstance(exc, TemplateSyntaxError):
        where = (exc.name or name, exc.lineno)
    else:
        where = _innermost_template_line(exc) or (name, None)
    line = f"line {where[1]}: " if where[1] else ""
    return " ".join(f"{where[0]}: {line}{exc.message or exc}".split())


def _innermost_template_line(exc: BaseException) -> tuple[str, int] | None:
    """Jinja rewrites a rendering error's traceback into frames of the template files (their
    path, their line): the last is where it happened. Names are `<locale>/<file>`."""
    found = None
    frame = exc.__traceback__
    while frame is not None:
        path = PurePath(frame.tb_frame.f_code.co_filename)
        if path.suffix in (".html", ".txt"):
            found = ("/".join(path.parts[-2:]), frame.tb_lineno)
        frame = frame.tb_next
    return found
