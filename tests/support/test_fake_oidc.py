"""The fake OIDC provider behaves like a strict Google: driven here by authlib, httpx and joserfc."""

import json
import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import errors, jws, jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from tests.support.fake_oidc import FakeOidcProvider, s256

REDIRECT_URI = "http://127.0.0.1:1/cb"  # never fetched: we stop at the 302
SUB = "google-sub-42"
PROFILE = {
    "email": "ada@example.com", "email_verified": True, "name": "Ada Lovelace",
    "given_name": "Ada", "family_name": "Lovelace", "picture": "https://example.com/ada.png",
}


@pytest.fixture
def idp():
    with FakeOidcProvider() as provider:
        provider.login_as(SUB, **PROFILE)
        yield provider


@pytest.fixture
async def http():
    async with httpx.AsyncClient(follow_redirects=False, timeout=5) as client:
        yield client


@pytest.fixture
async def metadata(idp, http):
    return (await http.get(idp.discovery_url)).raise_for_status().json()


def oauth_client(idp, **kwargs) -> AsyncOAuth2Client:
    options = {"client_id": idp.client_id, "client_secret": idp.client_secret, "scope": "openid email profile",
               "redirect_uri": REDIRECT_URI, "code_challenge_method": "S256"}
    return AsyncOAuth2Client(**{**options, **kwargs})


async def authorize(http, metadata, oauth, **params):
    """Run the front-channel leg; returns (redirect query, Location, verifier, nonce)."""
    verifier, nonce = generate_token(48), generate_token(16)
    url, _ = oauth.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **params
    )
    response = await http.get(url)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return dict(parse_qsl(urlsplit(location).query)), location, verifier, nonce


async def sign_in(idp, http, metadata, **client_kwargs):
    """Full code flow with authlib; returns (token response, nonce)."""
    async with oauth_client(idp, **client_kwargs) as oauth:
        query, _, verifier, nonce = await authorize(http, metadata, oauth)
        token = await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier)
    return token, nonce


async def verify_id_token(idp, http, metadata, id_token, nonce):
    """What the relying party must do: signature against /jwks, then iss/aud/exp/nonce."""
    jwks = KeySet.import_key_set((await http.get(metadata["jwks_uri"])).json())
    token = jwt.decode(id_token, jwks, algorithms=["RS256"])
    JWTClaimsRegistry(
        iss={"essential": True, "value": idp.issuer},
        aud={"essential": True, "value": idp.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(token.claims)
    return token


async def raw_authorize(http, metadata, **params):
    return await http.get(metadata["authorization_endpoint"], params=params)


def pkce_params(idp, verifier="v" * 43, **extra):
    return {
        "response_type": "code", "client_id": idp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid email", "code_challenge": s256(verifier), "code_challenge_method": "S256", **extra,
    }


def redirect_query(response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return dict(parse_qsl(urlsplit(response.headers["location"]).query))


# -- discovery and happy path -------------------------------------------------


async def test_discovery_document(idp, metadata):
    assert idp.issuer.startswith("http://127.0.0.1:")
    assert metadata["issuer"] == idp.issuer
    assert metadata["authorization_endpoint"] == idp.issuer + "/authorize"
    assert metadata["token_endpoint"] == idp.issuer + "/token"
    assert metadata["jwks_uri"] == idp.issuer + "/jwks"
    assert metadata["userinfo_endpoint"] == idp.issuer + "/userinfo"
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["subject_types_supported"] == ["public"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {"client_secret_post", "client_secret_basic"}
    assert "openid" in metadata["scopes_supported"]


async def test_happy_path(idp, http, metadata):
    async with oauth_client(idp) as oauth:
        query, location, verifier, nonce = await authorize(http, metadata, oauth)
        # authorization_response= makes authlib check the echoed state itself.
        token = await oauth.fetch_token(
            metadata["token_endpoint"], authorization_response=location, code_verifier=verifier
        )

    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["access_token"] and token["refresh_token"] and token["scope"] == "openid email profile"
    id_token = await verify_id_token(idp, http, metadata, token["id_token"], nonce)
    assert id_token.header["kid"] == idp.kid and id_token.header["alg"] == "RS256"
    claims = id_token.claims
    assert claims["sub"] == SUB and claims["nonce"] == nonce
    assert claims["exp"] == claims["iat"] + 3600 and abs(claims["iat"] - time.time()) < 5
    assert {name: claims[name] for name in PROFILE} == PROFILE

    [seen] = idp.authorize_requests
    assert seen["state"] == query["state"] and seen["nonce"] == nonce
    assert seen["code_challenge"] == s256(verifier) and seen["code_challenge_method"] == "S256"
    [sent] = idp.token_requests
    assert sent["code"] == query["code"] and sent["code_verifier"] == verifier
    assert sent["redirect_uri"] == REDIRECT_URI and sent["grant_type"] == "authorization_code"


async def test_client_secret_post_is_accepted(idp, http, metadata):
    token, nonce = await sign_in(idp, http, metadata, token_endpoint_auth_method="client_secret_post")
    await verify_id_token(idp, http, metadata, token["id_token"], nonce)
    assert idp.token_requests[-1]["client_secret"] == idp.client_secret


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_wrong_client_secret_is_invalid_client(idp, http, metadata, method):
    with pytest.raises(OAuthError) as caught:
        await sign_in(idp, http, metadata, client_secret="nope", token_endpoint_auth_method=method)
    assert caught.value.error == "invalid_client"


async def test_unauthenticated_token_request_gets_401(idp, http, metadata):
    response = await http.post(metadata["token_endpoint"], data={"grant_type": "authorization_code", "code": "x"})
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


async def test_userinfo(idp, http, metadata):
    token, _ = await sign_in(idp, http, metadata)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await http.get(metadata["userinfo_endpoint"], headers=headers)).json() == {"sub": SUB, **PROFILE}
    bad = await http.get(metadata["userinfo_endpoint"], headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


# -- PKCE and code handling ----------------------------------------------------


async def test_wrong_code_verifier_is_invalid_grant(idp, http, metadata):
    async with oauth_client(idp) as oauth:
        query, _, verifier, _ = await authorize(http, metadata, oauth)
        with pytest.raises(OAuthError) as caught:
            await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier + "x")
    assert caught.value.error == "invalid_grant"


async def test_missing_code_verifier_is_invalid_grant(idp, http, metadata):
    query = redirect_query(await raw_authorize(http, metadata, **pkce_params(idp)))
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT_URI}
    response = await http.post(metadata["token_endpoint"], data=form, auth=(idp.client_id, idp.client_secret))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


async def test_authorize_without_pkce_redirects_with_invalid_request(idp, http, metadata):
    async with oauth_client(idp, code_challenge_method=None) as oauth:
        query, _, _, _ = await authorize(http, metadata, oauth)
    assert query["error"] == "invalid_request" and "code" not in query
    assert "code_challenge" not in idp.authorize_requests[-1]


async def test_plain_pkce_is_refused(idp, http, metadata):
    params = pkce_params(idp, code_challenge="v" * 43, code_challenge_method="plain", state="s")
    query = redirect_query(await raw_authorize(http, metadata, **params))
    assert query == {"error": "invalid_request", "error_description": "PKCE with S256 is required", "state": "s"}


async def test_code_is_single_use(idp, http, metadata):
    async with oauth_client(idp) as oauth:
        query, _, verifier, _ = await authorize(http, metadata, oauth)
        await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier)
        with pytest.raises(OAuthError) as caught:
            await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier)
    assert caught.value.error == "invalid_grant"


async def test_redirect_uri_must_match(idp, http, metadata):
    async with oauth_client(idp) as oauth:
        query, _, verifier, _ = await authorize(http, metadata, oauth)
        with pytest.raises(OAuthError) as caught:
            await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier,
                                    redirect_uri="http://127.0.0.1:1/elsewhere")
    assert caught.value.error == "invalid_grant"


async def test_expired_code_is_invalid_grant(http):
    with FakeOidcProvider(code_ttl=0) as idp:
        idp.login_as(SUB)
        metadata = (await http.get(idp.discovery_url)).json()
        with pytest.raises(OAuthError) as caught:
            await sign_in(idp, http, metadata)
    assert caught.value.error == "invalid_grant"


# -- authorization endpoint decisions ------------------------------------------


async def test_deny_next_is_one_shot(idp, http, metadata):
    idp.deny_next()
    async with oauth_client(idp) as oauth:
        denied, _, _, _ = await authorize(http, metadata, oauth, state="st-1")
        allowed, _, _, _ = await authorize(http, metadata, oauth, state="st-2")
    assert denied == {"error": "access_denied", "state": "st-1"}
    assert set(allowed) == {"code", "state"} and allowed["state"] == "st-2"


async def test_state_echoed_exactly_or_omitted(idp, http, metadata):
    odd_state = "a b+c/=&é"
    query = redirect_query(await raw_authorize(http, metadata, **pkce_params(idp, state=odd_state)))
    assert query["state"] == odd_state
    assert "state" not in redirect_query(await raw_authorize(http, metadata, **pkce_params(idp)))


async def test_login_as_picks_the_subject(idp, http, metadata):
    idp.login_as("other-sub", email="bob@example.com")
    token, nonce = await sign_in(idp, http, metadata)
    claims = (await verify_id_token(idp, http, metadata, token["id_token"], nonce)).claims
    assert claims["sub"] == "other-sub" and claims["email"] == "bob@example.com" and "name" not in claims


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "email profile"}, "invalid_scope"),
        ({"code_challenge": ""}, "invalid_request"),
    ],
)
async def test_invalid_authorize_requests_redirect_with_error(idp, http, metadata, override, error):
    query = redirect_query(await raw_authorize(http, metadata, **{**pkce_params(idp, state="s"), **override}))
    assert query["error"] == error and query["state"] == "s" and "code" not in query


@pytest.mark.parametrize("override", [{"client_id": "stranger"}, {"redirect_uri": ""}])
async def test_untrusted_authorize_requests_are_not_redirected(idp, http, metadata, override):
    response = await raw_authorize(http, metadata, **{**pkce_params(idp), **override})
    assert response.status_code == 400 and "location" not in response.headers


async def test_authorize_requests_are_recorded(idp, http, metadata):
    async with oauth_client(idp) as oauth:
        await authorize(http, metadata, oauth, prompt="select_account", access_type="offline", login_hint="ada")
    [seen] = idp.authorize_requests
    assert (seen["prompt"], seen["access_type"], seen["login_hint"]) == ("select_account", "offline", "ada")
    assert seen["scope"] == "openid email profile" and seen["redirect_uri"] == REDIRECT_URI


async def test_no_nonce_sent_means_no_nonce_claim(idp, http, metadata):
    query = redirect_query(await raw_authorize(http, metadata, **pkce_params(idp)))
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT_URI,
            "code_verifier": "v" * 43, "client_id": idp.client_id, "client_secret": idp.client_secret}
    token = (await http.post(metadata["token_endpoint"], data=form)).raise_for_status().json()
    assert "nonce" not in jwt.decode(token["id_token"], KeySet.import_key_set(idp.jwks())).claims


# -- sabotage knobs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tamper", "error", "check"),
    [
        ({"nonce": "wrong"}, errors.InvalidClaimError, lambda idp, h, c: c["nonce"] == "wrong"),
        ({"aud": "someone-else"}, errors.InvalidClaimError, lambda idp, h, c: c["aud"] == "someone-else"),
        ({"iss": "https://evil.example"}, errors.InvalidClaimError,
         lambda idp, h, c: c["iss"] == "https://evil.example"),
        ({"exp_offset": -600}, errors.ExpiredTokenError,
         lambda idp, h, c: c["exp"] < time.time() - 500 and c["iat"] == c["exp"] - 3600),
        ({"sign_with_unknown_key": True}, errors.InvalidKeyIdError, lambda idp, h, c: h["kid"] != idp.kid),
    ],
    ids=["nonce", "aud", "iss", "expired", "unknown-key"],
)
async def test_tamper_breaks_exactly_the_next_id_token(idp, http, metadata, tamper, error, check):
    idp.tamper_next(**tamper)
    token, nonce = await sign_in(idp, http, metadata)
    with pytest.raises(error):
        await verify_id_token(idp, http, metadata, token["id_token"], nonce)
    header, claims = peek(token["id_token"])  # the sabotage is the one asked for, nothing else
    assert check(idp, header, claims) and claims["sub"] == SUB

    token, nonce = await sign_in(idp, http, metadata)  # one-shot: the following login is clean
    await verify_id_token(idp, http, metadata, token["id_token"], nonce)


def peek(id_token: str) -> tuple[dict, dict]:
    """Header and claims WITHOUT verifying anything (the unknown key cannot verify)."""
    compact = jws.extract_compact(id_token.encode())
    return compact.headers(), json.loads(compact.payload)


async def test_token_error_server_error_is_http_500_and_one_shot(idp, http, metadata):
    idp.tamper_next(token_error="server_error")
    async with oauth_client(idp) as oauth:
        query, _, verifier, nonce = await authorize(http, metadata, oauth)
        # authlib raises httpx.HTTPStatusError (not OAuthError) on 5xx token responses.
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier)
        assert caught.value.response.status_code == 500
        assert caught.value.response.json() == {"error": "server_error"}
        # The failed exchange did not burn the code, and the knob is spent.
        token = await oauth.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=verifier)
    await verify_id_token(idp, http, metadata, token["id_token"], nonce)


async def test_token_error_other_is_400_oauth_error(idp, http, metadata):
    idp.tamper_next(token_error="invalid_request")
    with pytest.raises(OAuthError) as caught:
        await sign_in(idp, http, metadata)
    assert caught.value.error == "invalid_request"


async def test_rotate_key_changes_kid_and_jwks(idp, http, metadata):
    old_kid = idp.kid
    old_token, old_nonce = await sign_in(idp, http, metadata)
    new_kid = idp.rotate_key()
    assert new_kid == idp.kid != old_kid
    assert [key["kid"] for key in (await http.get(metadata["jwks_uri"])).json()["keys"]] == [new_kid]
    with pytest.raises(errors.InvalidKeyIdError):
        await verify_id_token(idp, http, metadata, old_token["id_token"], old_nonce)
    token, nonce = await sign_in(idp, http, metadata)
    assert (await verify_id_token(idp, http, metadata, token["id_token"], nonce)).header["kid"] == new_kid


async def test_server_stops_on_exit(http):
    with FakeOidcProvider() as idp:
        url = idp.discovery_url
        assert (await http.get(url)).status_code == 200
    with pytest.raises(httpx.ConnectError):
        await http.get(url)
