"""Every template renders in both languages with what it needs, links point at the frontend's
pages, HTML is escaped and text is not, and a missing value is refused."""

import pytest

from application.ports import messages
from application.ports.messages import Message
from infrastructure.messaging.rendering import LINK_PAGES, NEEDS, Renderer, RenderError

FRONTEND = "https://app.example"
RENDERER = Renderer(FRONTEND)
EMAIL_TEMPLATES = [t for t in NEEDS if t != messages.PHONE_CODE]
WHATSAPP_TEMPLATES = [messages.PHONE_CODE, messages.PASSWORD_CHANGED, messages.SECOND_FACTOR_CHANGED,
                      messages.RECOVERY_CODE_USED, messages.SECOND_STEP_FAILED]
SAMPLE_VALUES = {"new_email": "n***@example.com", "when": "2026-11-29 18:00 UTC", "ip": "192.0.2.7",
                 "browser": "Firefox on Linux", "remaining": "7"}
SAMPLE_SECRETS = {"token": "tok-123_ABC", "code": "493817"}


def message(template: str, channel: str = "email", locale: str = "fr", **values: str) -> Message:
    needs = NEEDS[template]
    return Message(
        template, channel, "ada@example.com" if channel == "email" else "+33612345678", locale,
        {k: SAMPLE_VALUES[k] for k in needs.values} | values,
        {k: SAMPLE_SECRETS[k] for k in needs.secrets},
    )


def test_every_template_named_in_the_port_has_its_needs():
    names = {v for k, v in vars(messages).items() if k.isupper() and isinstance(v, str)}
    assert names == set(NEEDS)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_every_email_renders_subject_text_and_html_with_its_link(template, locale):
    rendered = RENDERER.render(message(template, locale=locale))
    assert rendered.subject and "\n" not in rendered.subject
    if template in LINK_PAGES:
        link = f"{FRONTEND}{LINK_PAGES[template]}?token=tok-123_ABC"
        assert link in rendered.text and f'href="{link}"' in rendered.html
    else:  # a notice without a link: nothing left to act on
        assert NEEDS[template].secrets == () and "href" not in rendered.html
    assert f'<html lang="{locale}">' in rendered.html
    for key in NEEDS[template].values:
        assert SAMPLE_VALUES[key] in rendered.text and SAMPLE_VALUES[key] in rendered.html


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("template", WHATSAPP_TEMPLATES)
def test_whatsapp_texts_render_in_both_languages(template, locale):
    rendered = RENDERER.render(message(template, "whatsapp", locale))
    assert rendered.subject is None and rendered.html is None
    assert ("493817" if template == messages.PHONE_CODE else "/secure-account?token=") in rendered.text


@pytest.mark.parametrize(("template", "contract_page"), [
    (messages.VERIFY_EMAIL, "/verify-email"), (messages.EMAIL_CHANGE, "/verify-email"),
    (messages.PASSWORD_RESET, "/reset-password"), (messages.EMAIL_CHANGE_NOTICE, "/secure-account"),
    (messages.IDENTIFIER_LOCKED, "/unlock"),
])
def test_links_open_the_pages_the_contract_names(template, contract_page):
    assert f"{FRONTEND}{contract_page}?token=" in RENDERER.render(message(template)).text


def test_the_two_languages_differ():
    fr, en = (RENDERER.render(message(messages.VERIFY_EMAIL, locale=l)) for l in ("fr", "en"))
    assert (fr.subject, en.subject) == ("Confirmez votre adresse e-mail", "Confirm your email address")


def test_an_unknown_locale_falls_back_to_the_default():
    assert RENDERER.render(message(messages.VERIFY_EMAIL, locale="de")).subject == "Confirmez votre adresse e-mail"
    english = Renderer(FRONTEND, default_locale="en")
    assert english.render(message(messages.VERIFY_EMAIL, locale="de")).subject == "Confirm your email address"


def test_html_is_escaped_and_text_shows_values_as_they_are():
    rendered = RENDERER.render(message(messages.NEW_DEVICE, browser='<script>alert("x")</script>'))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert '<script>alert("x")</script>' in rendered.text


def test_a_token_is_quoted_in_its_link():
    m = Message(messages.VERIFY_EMAIL, "email", "a@example.com", "en", {}, {"token": "a/b+c&d"})
    assert f"{FRONTEND}/verify-email?token=a%2Fb%2Bc%26d" in RENDERER.render(m).text


def test_the_change_notice_says_whether_the_change_is_asked_or_done():
    asked = RENDERER.render(message(messages.EMAIL_CHANGE_NOTICE, locale="en"))
    done = RENDERER.render(message(messages.EMAIL_CHANGE_NOTICE, locale="en", stage="confirmed"))
    assert "requested" in asked.subject.lower() and "was changed" in done.subject


@pytest.mark.parametrize("bad", [
    Message(messages.VERIFY_EMAIL, "email", "a@example.com", "fr", {}, {}),  # no token
    Message(messages.NEW_DEVICE, "email", "a@example.com", "fr", {"when": "now"}, {"token": "t"}),  # no ip
    Message(messages.PHONE_CODE, "email", "a@example.com", "fr", {}, {"code": "123456"}),  # no email form
    Message(messages.VERIFY_EMAIL, "whatsapp", "+33612345678", "fr", {}, {"token": "t"}),  # no WhatsApp form
    Message("no_such_template", "email", "a@example.com", "fr", {}, {}),
])
def test_a_message_that_cannot_be_rendered_is_refused(bad):
    with pytest.raises(RenderError):
        RENDERER.render(bad)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_failed_second_step_names_the_first_factor_that_was_right(locale):
    after_password = RENDERER.render(message(messages.SECOND_STEP_FAILED, locale=locale))
    after_google = RENDERER.render(message(messages.SECOND_STEP_FAILED, locale=locale, method="google"))
    assert ("mot de passe" if locale == "fr" else "password") in after_password.text
    assert "google" in after_google.text and "google" not in after_password.text


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_second_factor_notice_says_what_changed(locale):
    texts = {change: RENDERER.render(message(messages.SECOND_FACTOR_CHANGED, locale=locale, change=change)).text
             for change in messages.SECOND_FACTOR_CHANGES}
    assert len(set(texts.values())) == len(messages.SECOND_FACTOR_CHANGES)
    assert "7" in RENDERER.render(message(messages.RECOVERY_CODE_USED, locale=locale)).text


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_last_notice_of_a_deleted_account_says_so_and_links_nowhere(locale):
    rendered = RENDERER.render(message(messages.ACCOUNT_DELETED, locale=locale))
    assert ("supprimé" if locale == "fr" else "deleted") in rendered.subject
    assert "2026-11-29 18:00 UTC" in rendered.text and "token" not in rendered.text
    assert FRONTEND not in rendered.text
