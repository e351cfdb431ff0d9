from abc import abstractmethod
from typing import Protocol

from domain.identities import ProviderIdentity


class IdentityProvider(Protocol):
    """A sign-in provider, OpenID Connect (Google, or any other) or plain OAuth 2 with a
    profile API (Facebook, GitHub): the adapter owns discovery, keys, token checks and the
    profile call; the use case owns state, nonce and verifier (an OAuth 2 provider without
    ID tokens ignores the nonce, one without PKCE the verifier)."""

    name: str
    display_name: str  # for the frontend's button: "Google", "GitHub"

    @abstractmethod
    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the browser (PKCE S256 challenge derived from the verifier).
        Raises ProviderError when the provider cannot be reached."""

    @abstractmethod
    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        """Exchange the code and verify the ID token (signature, iss, aud, exp, iat,
        nonce). Raises ProviderError for anything that fails or does not verify."""
