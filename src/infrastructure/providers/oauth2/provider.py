"""An identity provider that is plain OAuth 2: the code flow, then the provider's profile API."""

from abc import abstractmethod

import httpx

from application.ports.identity import IdentityProvider
from domain.identities import ProviderIdentity
from infrastructure.providers.code_flow import OAuth2Client


class OAuth2IdentityProvider(IdentityProvider):
    """State (and PKCE where the client says the provider supports it); there is no ID token,
    so no nonce: who signed in is what the profile API answers to the fresh access token."""

    def __init__(
        self, client: OAuth2Client, *, authorize_url: str, token_url: str, http: httpx.AsyncClient,
        display_name: str,
    ) -> None:
        self.name = client.name
        self.display_name = display_name
        self._client = client
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._http = http

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        return self._client.grant_uri(self._authorize_url, state=state, code_verifier=code_verifier)

    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        token = await self._client.exchange(self._http, self._token_url, code, code_verifier)
        return await self.read_identity(token)

    @abstractmethod
    async def read_identity(self, token: dict) -> ProviderIdentity:
        """Who the access token belongs to, from the profile API. Raises ProviderError."""
