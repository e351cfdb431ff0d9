"""Rotating SECRET_KEY, end to end, over restarts of the real server on a database of its own
(the e2e suite's common server would deliver, or fail, the messages this test queues):

- key A: a password user signs up (their verification email waits: no dispatcher), a Google
  user signs in;
- SECRET_KEY=B, SECRET_KEY_FALLBACKS=A: the old sid and refresh token work, the Google user
  signs in again, the waiting email is delivered; then `python -m web rotate-keys`;
- B alone: the Google user still signs in, their stored tokens read (re-encrypted); a
  message waits under B;
- C alone, a key that reads nothing: a Google sign-in still works (the tokens are replaced),
  old sessions simply end, and the waiting message is failed with one log line.
"""

import subprocess
import sys

import asyncpg
import httpx
import pytest

from infrastructure.security.cipher import TokenCipher
from tests.e2e.test_google_sign_in import FINISH, person, sign_in_with_google
from tests.e2e.test_message_delivery import finished
from tests.support.database import test_database as fresh_database
from tests.support.e2e_fixtures import client_address, messaging_env
from tests.support.http import me_with_sid, refresh_with, register, session_cookies
from tests.support.server import ROOT, free_port, log_path, running_server

KEY_A, KEY_B, KEY_C = ("rotation-key-a-" + "a" * 32, "rotation-key-b-" + "b" * 32,
                       "rotation-key-c-" + "c" * 32)


@pytest.fixture(scope="module")
def own_database():
    with fresh_database() as url:
        yield url


@pytest.fixture
def start(own_database, idp, mail, whatsapp):
    """start(secret_key, fallbacks, deliver): the server on one port (Google's callback URL
    names it), restarted with these keys."""
    port = free_port()

    def server(secret_key: str, fallbacks: str = "", deliver: bool = True):
        return running_server({
            "DATABASE_URL": own_database, "APP_ENV": "development", "RUN_MIGRATIONS": "false",
            "SECRET_KEY": secret_key, "SECRET_KEY_FALLBACKS": fallbacks,
            "OUTBOX_DISPATCHER": "true" if deliver else "false",
            "GOOGLE_CLIENT_ID": "sesame-e2e", "GOOGLE_CLIENT_SECRET": "e2e-client-secret",
            "GOOGLE_DISCOVERY_URL": idp.discovery_url,
            "GOOGLE_CALLBACK_URL": f"http://127.0.0.1:{port}/auth/google/callback",
            **messaging_env(mail, whatsapp),
        }, port=port)

    return server


def browser(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=30, headers={"X-Forwarded-For": client_address()})


async def google_sign_in(base_url: str, idp, sub: str, claims: dict) -> None:
    async with browser(base_url) as client:
        finish = await sign_in_with_google(client, idp, sub, claims)
        assert (finish.status_code, finish.headers.get("location")) == (302, FINISH)
        assert (await client.get("/auth/me")).json()["user"]["email"] == claims["email"]


async def sign_up(base_url: str, email: str) -> tuple[str, str]:
    async with browser(base_url) as client:
        response = await register(client, email)
        assert response.status_code == 201, response.text
        return session_cookies(response)


async def stored(url: str, sql: str, *args):
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


def rotate_keys(url: str) -> list[str]:
    env = {"DATABASE_URL": url, "SECRET_KEY": KEY_B, "SECRET_KEY_FALLBACKS": KEY_A, "PATH": ""}
    done = subprocess.run([sys.executable, "-m", "web", "rotate-keys"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


async def test_rotating_the_secret_key_keeps_sessions_sign_ins_and_messages(
    start, own_database, idp, mail, new_email
):
    ada, grace = new_email(), new_email()
    sub, claims = person()
    with start(KEY_A, deliver=False) as server:
        sid, refresh = await sign_up(server, ada)  # its verification email waits, sealed under A
        await google_sign_in(server, idp, sub, claims)

    with start(KEY_B, KEY_A) as server:
        assert (await me_with_sid(server, sid)).json()["user"]["email"] == ada
        renewed = await refresh_with(server, refresh)
        assert renewed.status_code == 200, renewed.text
        await google_sign_in(server, idp, sub, claims)
        assert (await mail.wait_for(to=ada)).token  # the message queued under A is delivered
    assert "could not be decrypted" not in log_path(int(server.rsplit(":", 1)[1])).read_text()

    lines = rotate_keys(own_database)
    assert [line.split(":")[0] for line in lines] == [
        "accounts", "outbox_messages", "oauth_flows", "pending_links", "totp_secrets"]

    with start(KEY_B, deliver=False) as server:
        await google_sign_in(server, idp, sub, claims)
        sid, refresh = await sign_up(server, grace)  # its email waits, sealed under B
    log = log_path(int(server.rsplit(":", 1)[1])).read_text()
    assert "could not be decrypted" not in log  # the provider tokens were re-encrypted
    [account] = await stored(own_database, "SELECT access_token, id_token FROM accounts")
    assert all(TokenCipher(KEY_B).decrypt(value) for value in account.values())

    with start(KEY_C) as server:
        await google_sign_in(server, idp, sub, claims)  # the unreadable tokens are replaced
        assert (await me_with_sid(server, sid)).json() == {"user": None}
        assert (await refresh_with(server, refresh)).status_code == 401
        connection = await asyncpg.connect(own_database.replace("postgresql+asyncpg", "postgresql"))
        try:
            message = await finished(connection, grace)  # the dispatcher's pass at start
        finally:
            await connection.close()
        assert message["status"] == "failed"
    [row] = await stored(own_database, "SELECT id FROM outbox_messages WHERE recipient = $1", grace)
    log = log_path(int(server.rsplit(":", 1)[1])).read_text()
    assert log.count(f"message {row['id']} failed: its secret cannot be decrypted") == 1
    assert "Traceback" not in log
    assert "provider access token could not be decrypted" in log  # said, never fatal
