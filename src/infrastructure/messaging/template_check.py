"""The start-up check of the templates (TEMPLATES_DIR's overrides and the shipped ones they
sit beside): a broken template stops the start, instead of failing each message later.

Rules:
- every file of TEMPLATES_DIR overrides a shipped one (template_sources), else it is refused;
- each message kind, in each locale, on each channel it has shipped files for, renders with
  sample values of exactly what it receives (NEEDS, and app_name, logo_url, link, subject):
  StrictUndefined, as when sending, so an unknown variable, a syntax error or an include of
  a missing file is refused, naming the file;
- each optional value is tried absent (its default) and with each value it may take, so
  both sides of `{% if stage == 'confirmed' %}` are rendered; the logo both set and unset;
- an email subject renders to one line (a line break has no place in a header);
- the first problem found is reported, on one line: `fr/password_reset.txt: ...`.
"""

from collections.abc import Iterator
from pathlib import Path

from application.ports.messages import SECOND_FACTOR_CHANGES, Message
from infrastructure.messaging.rendering import (
    LOCALES, NEEDS, Branding, Needs, Renderer, RenderError,
)
from infrastructure.messaging.template_sources import override_names, shipped_names, unknown_overrides

SAMPLE_VALUES = {"new_email": "n***@example.com", "when": "2026-01-31 18:00 UTC", "ip": "192.0.2.7",
                 "browser": "Firefox on Linux", "remaining": "7"}
SAMPLE_SECRETS = {"token": "sample-token", "code": "493817"}
OPTIONAL_VARIANTS = {"stage": ("requested", "confirmed"), "change": SECOND_FACTOR_CHANGES,
                     "method": ("password", "google")}
SAMPLE_LOGO = "https://logo.example/logo.png"
# What each channel's form of a message is made of; the first file tells it exists.
CHANNEL_FILES = {"email": ("subject.txt", "txt", "html"), "whatsapp": ("whatsapp.txt",)}


class TemplateProblem(Exception):
    """One line: the file at fault and what is wrong with it."""


def check_templates(templates_dir: str | None, branding: Branding) -> None:
    if templates_dir is not None:
        _check_files(templates_dir)
    renderer = Renderer("https://app.example", templates_dir=templates_dir)
    for logo in (None, branding.logo_url or SAMPLE_LOGO):
        for message in sample_messages():
            _check_one(renderer.branded(Branding(branding.app_name, logo)), message)


def _check_files(templates_dir: str) -> None:
    unknown = unknown_overrides(templates_dir)
    if unknown:
        raise TemplateProblem(f"{unknown[0]}: no shipped template has this name "
                              "(docs/messages.md lists them)")
    for name in override_names(templates_dir):
        try:
            (Path(templates_dir) / name).read_text("utf-8")
        except UnicodeDecodeError:  # Jinja would raise it, not a TemplateError, at the first message
            raise TemplateProblem(f"{name}: not UTF-8 text") from None


def sample_messages() -> Iterator[Message]:
    """Every kind, locale and channel a message is sent in, with each optional variant."""
    for template, needs in NEEDS.items():
        for locale in LOCALES:
            for channel, files in CHANNEL_FILES.items():
                if f"{locale}/{template}.{files[0]}" in shipped_names():
                    for values in _variants(needs):
                        yield Message(template, channel, "sample", locale, values,
                                      {k: SAMPLE_SECRETS[k] for k in needs.secrets})


def _variants(needs: Needs) -> Iterator[dict[str, str]]:
    values = {k: SAMPLE_VALUES[k] for k in needs.values}
    yield values
    for key in needs.optional_values:
        for value in OPTIONAL_VARIANTS[key]:
            yield {**values, key: value}


def _check_one(renderer: Renderer, message: Message) -> None:
    try:
        rendered = renderer.render(message)
    except RenderError as exc:
        raise TemplateProblem(str(exc)) from None
    if rendered.subject is not None and "\n" in rendered.subject:
        raise TemplateProblem(f"{message.locale}/{message.template}.subject.txt: renders to more "
                              "than one line (a subject is one line)")
