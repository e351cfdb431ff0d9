"""Which identity providers this deployment offers, from the settings."""

import httpx

from application.ports.identity import IdentityProvider
from infrastructure.oidc.provider import OidcClientConfig, OidcIdentityProvider
from infrastructure.settings import Settings


def identity_providers(settings: Settings, http: httpx.AsyncClient) -> dict[str, IdentityProvider]:
    """The configured providers; another OIDC provider is one more entry here."""
    providers: dict[str, IdentityProvider] = {}
    if settings.google_enabled:
        google = OidcClientConfig(
            name="google",
            discovery_url=settings.google_discovery_url,
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret,
            redirect_uri=settings.google_redirect_uri,
            authorize_params={"access_type": settings.google_access_type, "prompt": settings.google_prompt},
        )
        providers["google"] = OidcIdentityProvider(google, http)
    return providers
