"""Messages speak in APP_NAME and show MAIL_LOGO_URL: every shipped template takes the name
from `app_name`, and the HTML layout shows the logo only when there is one, escaped."""

from pathlib import Path

import pytest

from application.ports import messages
from application.ports.messages import Message
from infrastructure.messaging.rendering import Branding, Renderer
from infrastructure.messaging.template_check import sample_messages

TEMPLATES = Path(__file__).resolve().parents[3] / "src/infrastructure/messaging/templates"
FRONTEND = "https://app.example"
LOGO = "https://cdn.acme.example/logo.png?v=1&size=2"


def verify_email(locale: str = "en") -> Message:
    return Message(messages.VERIFY_EMAIL, "email", "ada@example.com", locale, {}, {"token": "t"})


def test_no_shipped_template_names_the_service_itself():
    files = sorted(TEMPLATES.glob("*/*"))
    assert len(files) > 40
    assert [f.name for f in files if "Sésame" in f.read_text("utf-8")] == []


def test_by_default_messages_still_say_sesame():
    rendered = Renderer(FRONTEND).render(verify_email())
    assert "on Sésame," in rendered.text and "Sésame: an automatic message" in rendered.html
    assert "<img" not in rendered.html


@pytest.mark.parametrize("message", list(sample_messages()), ids=lambda m: f"{m.locale}-{m.template}-{m.channel}")
def test_every_message_says_the_app_name_in_each_part(message):
    rendered = Renderer(FRONTEND, branding=Branding("Acme")).render(message)
    parts = [rendered.text, rendered.html] if message.channel == "email" else [rendered.text]
    assert all("Acme" in part and "Sésame" not in part for part in parts)


def test_subjects_that_named_the_service_name_the_app():
    new_device = Message(messages.NEW_DEVICE, "email", "ada@example.com", "fr",
                         {"when": "now", "ip": "192.0.2.7", "browser": "Firefox"}, {"token": "t"})
    assert Renderer(FRONTEND, branding=Branding("Acme")).render(new_device).subject == (
        "Nouvelle connexion à votre compte Acme")


def test_the_html_shows_the_logo_with_the_app_name_as_its_text():
    rendered = Renderer(FRONTEND, branding=Branding("Acme", LOGO)).render(verify_email())
    assert '<img src="https://cdn.acme.example/logo.png?v=1&amp;size=2" alt="Acme"' in rendered.html
    assert "logo.png" not in rendered.text  # plain text has no images


def test_the_name_is_escaped_in_html_and_shown_as_typed_in_text():
    name = 'Tom & "Jerry" <Co>'
    rendered = Renderer(FRONTEND, branding=Branding(name, LOGO)).render(verify_email())
    assert name in rendered.text and "<Co>" not in rendered.html
    assert 'alt="Tom &amp; &#34;Jerry&#34; &lt;Co&gt;"' in rendered.html


def test_the_html_title_is_the_subject_escaped():
    new_device = Message(messages.NEW_DEVICE, "email", "ada@example.com", "en",
                         {"when": "now", "ip": "192.0.2.7", "browser": "Firefox"}, {"token": "t"})
    rendered = Renderer(FRONTEND, branding=Branding("A<b>")).render(new_device)
    assert "<title>New sign-in to your A&lt;b&gt; account</title>" in rendered.html
