"""Any OpenID Connect provider, from its discovery document (Google by default).

authlib builds the authorization URL (PKCE S256); the code is exchanged with the shared
httpx client (authlib's httpx integration warns at import that it is deprecated); joserfc
verifies the ID token against the provider's JWKS, which is cached and fetched again when
a token names a key id we do not know (key rotation).
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from application.ports.identity import IdentityProvider
from domain.errors import ProviderError
from domain.identities import ProviderIdentity, ProviderTokens

log = logging.getLogger(__name__)

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"
# Google's ID tokens say either spelling (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken).
_ISSUER_ALIASES = {
    "https://accounts.google.com": {"https://accounts.google.com", "accounts.google.com"},
}
CLOCK_SKEW = 60  # seconds of leeway on exp/iat


@dataclass(frozen=True)
class OidcClientConfig:
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = "openid email profile"
    authorize_params: dict[str, str] = field(default_factory=dict)  # e.g. access_type, prompt


class OidcIdentityProvider(IdentityProvider):
    def __init__(self, config: OidcClientConfig, http: httpx.AsyncClient) -> None:
        self.name = config.name
        self._config = config
        self._http = http
        self._metadata: dict | None = None
        self._keys: KeySet | None = None

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        metadata = await self._discover()
        return prepare_grant_uri(
            metadata["authorization_endpoint"],
            self._config.client_id,
            "code",
            redirect_uri=self._config.redirect_uri,
            scope=self._config.scope,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
            **self._config.authorize_params,
        )

    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        metadata = await self._discover()
        token = await self._exchange(metadata["token_endpoint"], code, code_verifier)
        claims = await self._verified_claims(token["id_token"], nonce)
        return _identity(self.name, claims, token)

    async def _exchange(self, token_endpoint: str, code: str, code_verifier: str) -> dict:
        """The token request of the code flow (RFC 6749 §4.1.3), client_secret_post, with
        the PKCE verifier; a refusal (4xx), a failure (5xx, network) or no ID token: ProviderError."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._config.redirect_uri,
            "code_verifier": code_verifier,
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
        }
        try:
            response = await self._http.post(token_endpoint, data=form, headers={"Accept": "application/json"})
            response.raise_for_status()
            token = response.json()
        except (httpx.HTTPError, ValueError) as exc:  # 4xx, 5xx/network, bad JSON
            log.warning("%s token exchange failed: %r", self.name, exc)
            raise ProviderError() from exc
        if not isinstance(token, dict) or "id_token" not in token:
            raise ProviderError()
        return token

    async def _verified_claims(self, id_token: str, nonce: str) -> dict:
        metadata = await self._discover()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(), algorithms=algorithms)
            except InvalidKeyIdError:
                decoded = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=algorithms)
            claims = decoded.claims
            issuers = _ISSUER_ALIASES.get(metadata["issuer"], {metadata["issuer"]})
            jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW,
                iss={"essential": True, "values": sorted(issuers)},
                aud={"essential": True, "value": self._config.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(claims)
        except (JoseError, ValueError) as exc:
            log.warning("%s ID token refused: %r", self.name, exc)
            raise ProviderError() from exc
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != self._config.client_id:
            raise ProviderError()
        return claims

    async def _discover(self) -> dict:
        if self._metadata is None:
            self._metadata = await self._get_json(self._config.discovery_url)
        return self._metadata

    async def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            jwks_uri = (await self._discover())["jwks_uri"]
            self._keys = KeySet.import_key_set(await self._get_json(jwks_uri))
        return self._keys

    async def _get_json(self, url: str) -> dict:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("%s: cannot fetch %s: %r", self.name, url, exc)
            raise ProviderError() from exc


def _identity(provider: str, claims: dict, token: dict) -> ProviderIdentity:
    expires_in = token.get("expires_in")
    return ProviderIdentity(
        provider=provider,
        subject=str(claims["sub"]),
        email=claims.get("email"),
        email_verified=claims.get("email_verified") in (True, "true"),
        given_name=claims.get("given_name"),
        family_name=claims.get("family_name"),
        name=claims.get("name"),
        picture=claims.get("picture"),
        locale=claims.get("locale"),
        tokens=ProviderTokens(
            access_token=token.get("access_token"),
            refresh_token=token.get("refresh_token"),
            id_token=token.get("id_token"),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
            scope=token.get("scope"),
        ),
    )
