"""TEMPLATES_DIR: a file there replaces the shipped file of the same name, and that one only;
the start-up check refuses, in one line naming the file, an override that does not parse,
uses a variable it does not receive, or has a name no shipped template has."""

import pytest

from application.ports import messages
from application.ports.messages import Message
from infrastructure.messaging.rendering import Branding, Renderer
from infrastructure.messaging.template_sources import unknown_overrides
from infrastructure.settings import STARTUP_FAILURE_EXIT, ConfigError, load_settings, load_settings_or_exit

FRONTEND = "https://app.example"


def write(root, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def settings(**env):
    return load_settings(env, env_file="/nonexistent")


def verify_email(locale: str) -> Message:
    return Message(messages.VERIFY_EMAIL, "email", "ada@example.com", locale, {}, {"token": "t"})


def test_an_override_wins_for_its_file_only(tmp_path):
    write(tmp_path, "en/verify_email.subject.txt", "Welcome to {{ app_name }}: confirm your address")
    renderer = Renderer(FRONTEND, branding=Branding("Acme"), templates_dir=str(tmp_path))
    english, french = renderer.render(verify_email("en")), renderer.render(verify_email("fr"))
    assert english.subject == "Welcome to Acme: confirm your address"
    assert "To confirm your email address on Acme" in english.text  # the shipped text part
    assert "<title>Welcome to Acme: confirm your address</title>" in english.html  # the shipped layout
    assert french.subject == "Confirmez votre adresse e-mail"  # another locale: shipped


def test_an_overridden_layout_dresses_the_shipped_html_emails(tmp_path):
    write(tmp_path, "fr/_layout.html", "<html lang=\"fr\"><p>Acme</p>{% block content %}{% endblock %}</html>")
    html = Renderer(FRONTEND, templates_dir=str(tmp_path)).render(verify_email("fr")).html
    assert html.startswith('<html lang="fr"><p>Acme</p>') and "Confirmer mon adresse" in html


def test_a_valid_templates_dir_is_accepted(tmp_path):
    write(tmp_path, "en/verify_email.subject.txt", "Confirm your {{ app_name }} address")
    write(tmp_path, "fr/password_changed.whatsapp.txt", "{{ app_name }} : mot de passe changé le {{ when }}. {{ link }}")
    write(tmp_path, ".DS_Store", "\0")  # hidden files are not templates
    assert settings(TEMPLATES_DIR=str(tmp_path), APP_NAME="Acme").branding.templates_dir == str(tmp_path)


@pytest.mark.parametrize(("name", "text", "line"), [
    ("fr/password_reset.txt", "Bonjour {% if %}", "TEMPLATES_DIR: fr/password_reset.txt: line 1: "),
    ("fr/password_reset.txt", "Bonjour {{ first_name }}", "TEMPLATES_DIR: fr/password_reset.txt: line 1: 'first_name' is undefined"),
    ("en/new_device.subject.txt", "New sign-in from {{ ip }}\n\nto {{ app_name }}",
     "TEMPLATES_DIR: en/new_device.subject.txt: renders to more than one line"),
    ("en/email_change_notice.txt", "{{ link }}\n{% if stage == 'confirmed' %}{{ nope }}{% endif %}",
     "TEMPLATES_DIR: en/email_change_notice.txt: line 2: 'nope' is undefined"),  # the rarer branch too
    ("en/_layout.html", "{% block content %}{% endblock %}\n{{ footer }}",
     "TEMPLATES_DIR: en/_layout.html: line 2: 'footer' is undefined"),  # not the email extending it
    ("en/verify_email.subjet.txt", "typo", "TEMPLATES_DIR: en/verify_email.subjet.txt: no shipped template"),
    ("de/verify_email.txt", "Hallo", "TEMPLATES_DIR: de/verify_email.txt: no shipped template"),
    ("en/verify_email.txt", b"\xe9t\xe9", "TEMPLATES_DIR: en/verify_email.txt: not UTF-8 text"),
])
def test_a_broken_override_is_one_line_naming_the_file(tmp_path, name, text, line):
    if isinstance(text, bytes):
        (tmp_path / "en").mkdir()
        (tmp_path / name).write_bytes(text)
    else:
        write(tmp_path, name, text)
    with pytest.raises(ConfigError) as error:
        settings(TEMPLATES_DIR=str(tmp_path))
    assert str(error.value).startswith(line) and "\n" not in str(error.value)


def test_templates_dir_must_be_a_directory(tmp_path):
    with pytest.raises(ConfigError, match=f'^TEMPLATES_DIR: expected a directory, got "{tmp_path}/none"$'):
        settings(TEMPLATES_DIR=str(tmp_path / "none"))


def test_the_start_stops_with_the_configuration_exit_code_and_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path, "fr/password_reset.txt", "{{ oops }}")
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("TEMPLATES_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exit:
        load_settings_or_exit()
    assert exit.value.code == STARTUP_FAILURE_EXIT
    assert capsys.readouterr().err == (
        "Configuration error: TEMPLATES_DIR: fr/password_reset.txt: line 1: 'oops' is undefined\n")


def test_only_the_names_of_shipped_templates_are_overrides(tmp_path):
    for name in ("en/verify_email.html", "fr/_layout.html", "en/notes.md", ".git/config", "README"):
        write(tmp_path, name, "x")
    assert unknown_overrides(str(tmp_path)) == ["README", "en/notes.md"]
