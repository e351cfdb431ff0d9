"""Sign-in through a provider: a state is good once, the code is bound by PKCE (S256), and
wherever the flow ends it never leaves FRONTEND_ORIGIN."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_google_sign_in import FINISH, go_to_google, login_error, person, sign_in_with_google
from tests.support.e2e_fixtures import FRONTEND


async def test_a_replayed_oauth_state_is_refused(client, idp):
    sub, claims = person()
    callback = await go_to_google(client, idp, sub, claims)
    assert (await client.get(callback)).headers["location"] == FINISH
    assert login_error(await client.get(callback)) == "invalid_state"


async def test_google_sign_in_sends_a_pkce_s256_challenge(client, idp):
    """The fake Google refuses a code whose verifier does not hash to the challenge, so the
    sign-in completing proves the server kept the verifier and sent it back."""
    start = await client.get("/auth/google")
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert sent["code_challenge_method"] == ["S256"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", sent["code_challenge"][0])  # a SHA-256, base64url
    sub, claims = person()
    assert (await sign_in_with_google(client, idp, sub, claims)).headers["location"] == FINISH


@pytest.mark.parametrize("redirect", ["https://evil.example", "//evil.example", "/\\evil.example"])
async def test_redirects_never_leave_the_frontend(client, idp, redirect):
    sub, claims = person()
    finish = await sign_in_with_google(client, idp, sub, claims, redirect=redirect)
    location = finish.headers["location"]
    assert location.startswith(f"{FRONTEND}/"), location
    assert "evil.example" not in location, location
