from abc import abstractmethod
from typing import Protocol

from domain.identities import ProviderIdentity


class IdentityProvider(Protocol):
    """An OpenID Connect provider (Google, or any other): the adapter owns discovery,
    keys and token checks; the use case owns state, nonce and verifier."""

    name: str

    @abstractmethod
    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the browser (PKCE S256 challenge derived from the verifier).
        Raises ProviderError when the provider cannot be reached."""

    @abstractmethod
    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        """Exchange the code and verify the ID token (signature, iss, aud, exp, iat,
        nonce). Raises ProviderError for anything that fails or does not verify."""
