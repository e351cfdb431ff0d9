"""A company running the service for its own app: APP_NAME and TEMPLATES_DIR, from the
environment of a real server to the email the fake SendGrid receives; and a broken override
stopping the start in one line, as any configuration error does."""

import asyncio
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from infrastructure.persistence.migrate import migrate_url
from infrastructure.settings import STARTUP_FAILURE_EXIT
from tests.support.database import sibling_database
from tests.support.e2e_fixtures import EMAIL_FROM, SECRET_KEY
from tests.support.fake_messaging import FakeSendGrid
from tests.support.http import register
from tests.support.server import ROOT, running_server

SUBJECT = "Welcome to {{ app_name }}: one click left"


@pytest.fixture
def templates_dir(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "verify_email.subject.txt").write_text(SUBJECT, "utf-8")
    return tmp_path


@pytest.fixture
def acme_server(database_url, templates_dir):
    """A server of its own (its own database: the other tests' server would deliver
    this one's messages with its own templates), sending through its own fake SendGrid."""
    with FakeSendGrid(api_key="SG.acme") as mail, sibling_database(database_url) as url:
        asyncio.run(migrate_url(url))
        env = {
            "DATABASE_URL": url, "APP_ENV": "development", "SECRET_KEY": SECRET_KEY, "RUN_MIGRATIONS": "false",
            "APP_NAME": "Acme", "TEMPLATES_DIR": str(templates_dir),
            "SENDGRID_API_KEY": mail.api_key, "SENDGRID_BASE_URL": mail.base_url, "EMAIL_FROM": EMAIL_FROM,
        }
        with running_server(env, workers=1) as base_url:
            yield base_url, mail


async def test_the_registration_email_speaks_in_the_app_s_name_with_the_overridden_subject(acme_server):
    base_url, mail = acme_server
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=base_url, headers={"Accept-Language": "en"}) as client:
        assert (await register(client, email)).status_code == 201
        assert (await client.get("/schema/openapi.json")).json()["info"]["title"] == "Acme"
    sent = await mail.wait_for(to=email)
    assert sent.subject == "Welcome to Acme: one click left"  # the override
    assert "To confirm your email address on Acme" in sent.text  # the shipped text, in Acme's name
    assert "Sésame" not in sent.text + sent.html


def test_a_broken_override_stops_the_start_in_one_line(templates_dir):
    (templates_dir / "en" / "password_reset.txt").write_text("Hello {{ first_name }}", "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "APP_ENV")}
    env.update(TEMPLATES_DIR=str(templates_dir), SECRET_KEY=SECRET_KEY, RUN_MIGRATIONS="false", PORT="0")
    result = subprocess.run([sys.executable, "-m", "web"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == STARTUP_FAILURE_EXIT
    assert result.stdout + result.stderr == (
        "Configuration error: TEMPLATES_DIR: en/password_reset.txt: line 1: 'first_name' is undefined\n")
