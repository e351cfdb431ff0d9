"""End-to-end fixtures: the app runs under uvicorn (two workers, so concurrency crosses
processes) and tests talk to it over HTTP, as the Next.js frontend does.

A plugin registered in tests/conftest.py, not a conftest, so tests/e2e and tests/security
share one server per session (a second one costs about 10 s)."""

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.support.fake_messaging import FakeSendGrid, FakeTwilio
from tests.support.fake_oauth2 import FakeFacebook, FakeGitHub
from tests.support.fake_oidc import FakeOidcProvider
from tests.support.fake_pwned_passwords import FakePwnedPasswords
from tests.support.server import free_port, log_path, running_server

FRONTEND = "http://localhost:3000"
PROXY = "192.0.2.1"  # a second proxy hop trusted, besides loopback (test_client_address)
GRACE_SECONDS = 3  # short, so a test can outwait it
SECRET_KEY = "e2e-secret-key-0123456789abcdef0123456789"
EMAIL_FROM = "Sésame <no-reply@sesame.test>"
WHATSAPP_FROM = "+14155238886"
WHATSAPP_CONTENT_SID = "HX" + "1" * 32  # the server sends codes in the approved-template form


def messaging_env(mail: FakeSendGrid, whatsapp: FakeTwilio) -> dict[str, str]:
    """The settings that send email through `mail` and WhatsApp through `whatsapp`."""
    return {
        "SENDGRID_API_KEY": mail.api_key,
        "SENDGRID_BASE_URL": mail.base_url,
        "EMAIL_FROM": EMAIL_FROM,
        "TWILIO_ACCOUNT_SID": whatsapp.account_sid,
        "TWILIO_AUTH_TOKEN": whatsapp.auth_token,
        "TWILIO_BASE_URL": whatsapp.base_url,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_WHATSAPP_CONTENT_SID": WHATSAPP_CONTENT_SID,
    }


@pytest.fixture(scope="session")
def idp():
    """The stand-in for Google, on loopback."""
    with FakeOidcProvider(client_id="sesame-e2e", client_secret="e2e-client-secret") as provider:
        yield provider


@pytest.fixture(scope="session")
def facebook():
    """The stand-in for Facebook Login and the Graph API, on loopback."""
    with FakeFacebook(client_id="fb-e2e", client_secret="fb-e2e-app-secret") as fake:
        yield fake


@pytest.fixture(scope="session")
def github():
    """The stand-in for GitHub's OAuth app endpoints and REST API, on loopback."""
    with FakeGitHub(client_id="gh-e2e", client_secret="gh-e2e-secret") as fake:
        yield fake


@pytest.fixture(scope="session")
def acme():
    """Another OpenID Connect provider, configured only by OIDC_PROVIDERS=acme and ACME_*."""
    with FakeOidcProvider(client_id="acme-e2e", client_secret="acme-e2e-secret") as provider:
        yield provider


@pytest.fixture(scope="session")
def mail():
    """The stand-in for SendGrid: `email = await mail.wait_for(to=address)` gives the next
    email to that address (subject, text, html, links, token); `mail.fail_next(n, 503)`."""
    with FakeSendGrid(api_key="SG.e2e-key") as fake:
        yield fake


@pytest.fixture(scope="session")
def whatsapp():
    """The stand-in for Twilio: `message = await whatsapp.wait_for(to="+33...")` gives the
    next WhatsApp message to that number (code, body, content_sid, content_variables)."""
    with FakeTwilio(account_sid="AC" + "e2e0" * 8, auth_token="e2e-twilio-token") as fake:
        yield fake


@pytest.fixture(scope="session")
def pwned():
    """The stand-in for the Pwned Passwords range API: `pwned.add(password)` makes a password
    breached; `pwned.go_down()`, `pwned.answer_next(500)`, `pwned.delay`."""
    with FakePwnedPasswords() as fake:
        yield fake


def breach_check_env(pwned: FakePwnedPasswords) -> dict[str, str]:
    """The settings that check new passwords against `pwned`."""
    return {"PASSWORD_BREACH_CHECK": "true", "PWNED_PASSWORDS_URL": pwned.url}


@pytest.fixture
def no_failures_left(mail, whatsapp, pwned):
    """Failures a test asked for and did not use must not hit the next test (made autouse by
    the conftests of tests/e2e and tests/security only: unit tests need no fakes)."""
    yield
    mail.reset()
    whatsapp.reset()
    pwned.reset()


@pytest.fixture(scope="session")
def server(database_url, idp, facebook, github, acme, mail, whatsapp, pwned):
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "FRONTEND_ORIGIN": FRONTEND,
        "REFRESH_REUSE_GRACE": str(GRACE_SECONDS),
        "RUN_MIGRATIONS": "false",
        "FORWARDED_ALLOW_IPS": f"127.0.0.1,::1,{PROXY}",
        "GOOGLE_CLIENT_ID": "sesame-e2e",
        "GOOGLE_CLIENT_SECRET": "e2e-client-secret",
        "GOOGLE_DISCOVERY_URL": idp.discovery_url,
        "GOOGLE_CALLBACK_URL": f"http://127.0.0.1:{port}/auth/google/callback",
        "FACEBOOK_CLIENT_ID": facebook.client_id,
        "FACEBOOK_CLIENT_SECRET": facebook.client_secret,
        "FACEBOOK_AUTHORIZE_URL": facebook.authorize_url,
        "FACEBOOK_GRAPH_URL": facebook.graph_url,
        "GITHUB_CLIENT_ID": github.client_id,
        "GITHUB_CLIENT_SECRET": github.client_secret,
        "GITHUB_OAUTH_URL": github.oauth_url,
        "GITHUB_API_URL": github.api_url,
        "OIDC_PROVIDERS": "acme",
        "ACME_DISCOVERY_URL": acme.discovery_url,
        "ACME_CLIENT_ID": acme.client_id,
        "ACME_CLIENT_SECRET": acme.client_secret,
        "ACME_DISPLAY_NAME": "Acme SSO",
        **messaging_env(mail, whatsapp),
        **breach_check_env(pwned),
    }
    with running_server(env, workers=2, port=port) as base_url:
        yield base_url


@pytest.fixture
async def db(database_url):
    """A direct connection, to check what the service stored."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def server_log(server) -> Path:
    """The shared server's log (both workers write to it)."""
    return log_path(urlsplit(server).port)


def client_address() -> str:
    """uvicorn trusts X-Forwarded-For from loopback (a local proxy): each test client
    gets its own documentation-range address, in its own /64 (the per-address limits count
    an IPv6 client by its /64), so per-address limits stay apart."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::{uuid.uuid4().hex[:4]}"


@pytest.fixture
async def client(server):
    """A browser-like client: keeps cookies (respecting Path), follows no redirects."""
    headers = {"X-Forwarded-For": client_address()}
    async with httpx.AsyncClient(base_url=server, timeout=30, headers=headers) as http:
        yield http


@pytest.fixture
def new_email():
    return lambda: f"user-{uuid.uuid4().hex[:12]}@example.com"
