"""Jinja2 templates (package data, templates/<locale>/) turned into what a channel sends.

HTML is autoescaped; the text parts (subject, text, WhatsApp) are plain text and are not, so
a value shows as typed there. Every template name fails loudly (StrictUndefined) on a value it
lacks: a message with a missing value is a bug to fail at once, not an email with a hole."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError, select_autoescape

from application.ports.messages import (
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    IDENTIFIER_LOCKED,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    PHONE_CODE,
    VERIFY_EMAIL,
    Message,
)

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
}
DEFAULTS = {"stage": "requested"}


class RenderError(Exception):
    """The message cannot be rendered (unknown template, locale or channel, a value missing):
    sending it again would fail again."""


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # the text part of an email, or the WhatsApp text
    subject: str | None = None  # email only
    html: str | None = None  # email only


class Renderer:
    def __init__(self, frontend_origin: str, default_locale: str = "fr") -> None:
        self._frontend = frontend_origin.rstrip("/")
        self._default_locale = default_locale
        self._env = Environment(
            loader=PackageLoader("infrastructure.messaging", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
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
        try:
            if message.channel == "email":
                return Rendered(
                    subject=self._render(f"{name}.subject.txt", context).strip(),
                    text=self._render(f"{name}.txt", context),
                    html=self._render(f"{name}.html", context),
                )
            if message.channel == "whatsapp":
                return Rendered(text=self._render(f"{name}.whatsapp.txt", context))
        except TemplateError as exc:  # TemplateNotFound too: no such template on this channel
            raise RenderError(f"{name} ({message.channel}): {exc}") from exc
        raise RenderError(f"unknown channel {message.channel!r}")

    def link(self, template: str, token: str) -> str:
        return f"{self._frontend}{LINK_PAGES[template]}?token={quote(token, safe='')}"

    def _context(self, message: Message, needs: Needs) -> dict[str, str]:
        context = {**DEFAULTS, **message.values, **message.secrets}
        if "token" in needs.secrets:
            context["link"] = self.link(message.template, message.secrets["token"])
        return context

    def _locale(self, locale: str) -> str:
        return locale if locale in LOCALES else self._default_locale

    def _render(self, name: str, context: Mapping[str, str]) -> str:
        return self._env.get_template(name).render(context)
