"""Any OpenID Connect provider, from its discovery document (Google by default).

The code flow is infrastructure.providers.code_flow's (PKCE S256, the exchange over the shared
httpx client); joserfc verifies the ID token against the provider's JWKS, which is cached and
fetched again when a token names a key id we do not know (key rotation).
"""

import logging
from dataclasses import dataclass, field, replace

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from application.ports.identity import IdentityProvider
from domain.errors import ProviderError
from domain.identities import ProviderIdentity
from infrastructure.providers.code_flow import OAuth2Client, fetch_json, provider_tokens

log = logging.getLogger(__name__)

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"
# Google's ID tokens say either spelling (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken).
_ISSUER_ALIASES = {
    "https://accounts.google.com": {"https://accounts.google.com", "accounts.google.com"},
}
CLOCK_SKEW = 60  # seconds of leeway on exp/iat
_REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True)
class OidcClientConfig:
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = "openid email profile"
    authorize_params: dict[str, str] = field(default_factory=dict)  # e.g. access_type, prompt
    display_name: str = ""  # default: the name, capitalised
    # False: the provider's email_verified claim is not believed (its emails count as unverified).
    trust_email_verified: bool = True


class OidcIdentityProvider(IdentityProvider):
    def __init__(self, config: OidcClientConfig, http: httpx.AsyncClient) -> None:
        self.name = config.name
        self.display_name = config.display_name or config.name.capitalize()
        self._config = config
        self._client = OAuth2Client(config.name, config.client_id, config.client_secret, config.redirect_uri,
                                    config.scope, pkce=True, authorize_params=config.authorize_params)
        self._http = http
        self._metadata: dict | None = None
        self._keys: KeySet | None = None

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        metadata = await self._discover()
        return self._client.grant_uri(
            metadata["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
        )

    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        metadata = await self._discover()
        token = await self._client.exchange(self._http, metadata["token_endpoint"], code, code_verifier)
        if not isinstance(token.get("id_token"), str):
            raise ProviderError()
        claims = await self._verified_claims(token["id_token"], nonce)
        identity = _identity(self.name, claims, token)
        if not self._config.trust_email_verified:
            identity = replace(identity, email_verified=False)
        return identity

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
            metadata = await self._get_json(self._config.discovery_url)
            # A wrong <NAME>_DISCOVERY_URL must end on the login page, not in a KeyError.
            if not all(isinstance(metadata.get(key), str) for key in _REQUIRED_METADATA):
                log.warning("%s: %s is no OpenID Connect discovery document", self.name, self._config.discovery_url)
                raise ProviderError()
            self._metadata = metadata
        return self._metadata

    async def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            jwks_uri = (await self._discover())["jwks_uri"]
            self._keys = KeySet.import_key_set(await self._get_json(jwks_uri))
        return self._keys

    async def _get_json(self, url: str) -> dict:
        document = await fetch_json(self._http, self.name, "GET", url)
        if not isinstance(document, dict):
            raise ProviderError()
        return document


def _identity(provider: str, claims: dict, token: dict) -> ProviderIdentity:
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
        tokens=provider_tokens(token),
    )
