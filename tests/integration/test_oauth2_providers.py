"""The Facebook and GitHub adapters against the fake providers over HTTP on loopback; the
fakes refuse what the real ones refuse (a missing or wrong appsecret_proof, a bad verifier)."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domain.errors import ProviderError
from infrastructure.providers.oauth2.facebook import FacebookIdentityProvider
from infrastructure.providers.oauth2.github import GitHubIdentityProvider
from tests.support.fake_oauth2 import FakeFacebook, FakeGitHub

REDIRECT = "http://127.0.0.1:1/auth/{}/callback"
VERIFIER = "v" * 43


@pytest.fixture(scope="module")
def facebook():
    with FakeFacebook() as fake:
        yield fake


@pytest.fixture(scope="module")
def github():
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def facebook_adapter(fake, http, secret=None):
    return FacebookIdentityProvider(client_id=fake.client_id, client_secret=secret or fake.client_secret,
                                    redirect_uri=REDIRECT.format("facebook"), authorize_url=fake.authorize_url,
                                    graph_url=fake.graph_url, http=http)


def github_adapter(fake, http):
    return GitHubIdentityProvider(client_id=fake.client_id, client_secret=fake.client_secret,
                                  redirect_uri=REDIRECT.format("github"), oauth_url=fake.oauth_url,
                                  api_url=fake.api_url, http=http)


async def code_for(adapter, fake, subject, **profile) -> str:
    fake.login_as(subject, **profile)
    url = await adapter.authorization_url(state="st-1", nonce="n-1", code_verifier=VERIFIER)
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url)
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


async def test_facebook_exchange_and_profile(facebook, http):
    adapter = facebook_adapter(facebook, http)
    code = await code_for(adapter, facebook, "10001", first_name="Ada", email="ada@example.com")
    identity = await adapter.identify(code=code, code_verifier=VERIFIER, nonce="n-1")
    assert (identity.subject, identity.given_name, identity.email, identity.email_verified) == (
        "10001", "Ada", "ada@example.com", False)
    assert identity.tokens.access_token and identity.tokens.expires_at
    assert "code_verifier" not in facebook.token_requests[-1]


async def test_facebook_with_the_wrong_app_secret_is_a_provider_error(facebook, http):
    adapter = facebook_adapter(facebook, http, secret="not-the-secret")
    code = await code_for(adapter, facebook, "10002")
    with pytest.raises(ProviderError):
        await adapter.identify(code=code, code_verifier=VERIFIER, nonce="n-1")


async def test_the_fake_graph_refuses_a_missing_or_wrong_appsecret_proof(facebook, http):
    adapter = facebook_adapter(facebook, http)
    code = await code_for(adapter, facebook, "10003")
    form = {"code": code, "client_id": facebook.client_id, "client_secret": facebook.client_secret,
            "redirect_uri": REDIRECT.format("facebook")}
    token = (await http.post(f"{facebook.graph_url}/oauth/access_token", data=form)).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for params in ({"fields": "id"}, {"fields": "id", "appsecret_proof": "00" * 32}):
        answer = await http.get(f"{facebook.graph_url}/me", params=params, headers=bearer)
        assert answer.status_code == 400 and "appsecret_proof" in answer.json()["error"]["message"]


async def test_github_exchange_sends_the_verifier_and_reads_both_resources(github, http):
    adapter = github_adapter(github, http)
    emails = [{"email": "g@example.com", "primary": True, "verified": True}]
    code = await code_for(adapter, github, "42", name="Grace Hopper", emails=emails)
    identity = await adapter.identify(code=code, code_verifier=VERIFIER, nonce="n-1")
    assert (identity.subject, identity.email, identity.email_verified, identity.name) == (
        "42", "g@example.com", True, "Grace Hopper")
    assert github.token_requests[-1]["code_verifier"] == VERIFIER


@pytest.mark.parametrize("verifier", ["w" * 43, None])
async def test_github_answers_a_bad_code_with_200_and_an_error_which_is_a_provider_error(github, http, verifier):
    adapter = github_adapter(github, http)
    code = await code_for(adapter, github, "43")
    with pytest.raises(ProviderError):
        await adapter.identify(code=code if verifier else "no-such-code", code_verifier=verifier or VERIFIER,
                               nonce="n-1")


async def test_an_unreachable_provider_is_a_provider_error(http):
    adapter = GitHubIdentityProvider(client_id="c", client_secret="s", redirect_uri=REDIRECT.format("github"),
                                     oauth_url="http://127.0.0.1:9/login/oauth", api_url="http://127.0.0.1:9",
                                     http=http)
    with pytest.raises(ProviderError):
        await adapter.identify(code="c", code_verifier=VERIFIER, nonce="n-1")
