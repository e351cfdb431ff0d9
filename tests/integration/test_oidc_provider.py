"""The OIDC adapter against a real (fake) provider over HTTP on loopback."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domain.errors import ProviderError
from infrastructure.providers.oidc import provider as oidc
from infrastructure.providers.oidc.provider import OidcClientConfig, OidcIdentityProvider
from tests.support.fake_oidc import FakeOidcProvider, s256

REDIRECT = "http://127.0.0.1:1/auth/google/callback"


@pytest.fixture(scope="module")
def idp():
    with FakeOidcProvider() as server:
        yield server


@pytest.fixture
async def adapter(idp):
    config = OidcClientConfig("google", idp.discovery_url, "test-client", "test-secret", REDIRECT,
                              authorize_params={"access_type": "offline", "prompt": "consent"})
    async with httpx.AsyncClient(timeout=5) as http:
        yield OidcIdentityProvider(config, http)


async def authorize(adapter, sub="ada-sub", **claims):
    """Play the browser: follow the authorization URL, return the code."""
    adapter_idp = claims.pop("idp")
    adapter_idp.login_as(sub, **claims)
    url = await adapter.authorization_url(state="st-1", nonce="n-1", code_verifier="v" * 43)
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url)
    return parse_qs(urlsplit(answer.headers["location"]).query)


async def test_full_exchange_yields_a_verified_identity(adapter, idp):
    query = await authorize(adapter, idp=idp, email="ada@example.com", email_verified=True,
                            given_name="Ada", family_name="Lovelace")
    sent = idp.authorize_requests[-1]
    assert sent["code_challenge"] == s256("v" * 43) and sent["code_challenge_method"] == "S256"
    assert (sent["nonce"], sent["state"], sent["access_type"], sent["prompt"]) == ("n-1", "st-1", "offline", "consent")
    identity = await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")
    assert (identity.subject, identity.email, identity.email_verified) == ("ada-sub", "ada@example.com", True)
    assert (identity.given_name, identity.family_name) == ("Ada", "Lovelace")
    assert identity.tokens.access_token and identity.tokens.id_token and identity.tokens.expires_at


async def test_wrong_verifier_is_refused_by_the_provider(adapter, idp):
    query = await authorize(adapter, idp=idp)
    with pytest.raises(ProviderError):
        await adapter.identify(code=query["code"][0], code_verifier="w" * 43, nonce="n-1")


async def test_wrong_nonce_is_refused(adapter, idp):
    query = await authorize(adapter, idp=idp)
    with pytest.raises(ProviderError):
        await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="other")


@pytest.mark.parametrize("tamper", [
    {"aud": "someone-else"}, {"exp_offset": -600}, {"iss": "https://evil.example"},
    {"sign_with_unknown_key": True}, {"token_error": "server_error"}, {"token_error": "invalid_grant"},
    {"sub": None}, {"iat": None},
])
async def test_bad_tokens_are_refused(adapter, idp, tamper):
    query = await authorize(adapter, idp=idp)
    idp.tamper_next(**tamper)
    with pytest.raises(ProviderError):
        await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")


async def test_rotated_keys_are_fetched_again(adapter, idp):
    query = await authorize(adapter, idp=idp)
    await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")  # caches JWKS
    idp.rotate_key()
    query = await authorize(adapter, idp=idp)
    identity = await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")
    assert identity.subject == "ada-sub"


async def test_both_spellings_of_an_aliased_issuer_are_accepted(adapter, idp, monkeypatch):
    monkeypatch.setitem(oidc._ISSUER_ALIASES, idp.issuer, {idp.issuer, "accounts.example"})
    query = await authorize(adapter, idp=idp)
    idp.tamper_next(iss="accounts.example")
    assert await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")


async def test_unreachable_discovery_is_a_provider_error():
    config = OidcClientConfig("google", "http://127.0.0.1:9/.well-known/openid-configuration",
                              "c", "s", REDIRECT)
    async with httpx.AsyncClient(timeout=2) as http:
        with pytest.raises(ProviderError):
            await OidcIdentityProvider(config, http).authorization_url(state="s", nonce="n", code_verifier="v" * 43)


async def test_a_discovery_url_that_is_no_discovery_document_is_a_provider_error(idp):
    """A wrong <NAME>_DISCOVERY_URL (here: the JWKS) ends on the login page, never in a 500."""
    config = OidcClientConfig("acme", idp.issuer + "/jwks", "c", "s", REDIRECT)
    async with httpx.AsyncClient(timeout=2) as http:
        with pytest.raises(ProviderError):
            await OidcIdentityProvider(config, http).authorization_url(state="s", nonce="n", code_verifier="v" * 43)


async def test_an_untrusted_provider_s_email_is_unverified(idp):
    config = OidcClientConfig("acme", idp.discovery_url, "test-client", "test-secret", REDIRECT,
                              trust_email_verified=False)
    async with httpx.AsyncClient(timeout=5) as http:
        adapter = OidcIdentityProvider(config, http)
        query = await authorize(adapter, idp=idp, email="ada@example.com", email_verified=True)
        identity = await adapter.identify(code=query["code"][0], code_verifier="v" * 43, nonce="n-1")
    assert (identity.email, identity.email_verified, adapter.display_name) == ("ada@example.com", False, "Acme")
