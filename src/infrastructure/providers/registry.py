"""Which identity providers this deployment offers, from the settings: Google, Facebook and
GitHub when configured, then every OIDC_PROVIDERS entry. Another provider is one more entry."""

import httpx

from application.ports.identity import IdentityProvider
from infrastructure.providers.oauth2.facebook import FacebookIdentityProvider
from infrastructure.providers.oauth2.github import GitHubIdentityProvider
from infrastructure.providers.oidc.provider import OidcClientConfig, OidcIdentityProvider
from infrastructure.settings import OidcProviderSettings, Settings


def identity_providers(settings: Settings, http: httpx.AsyncClient) -> dict[str, IdentityProvider]:
    """The configured providers, in the order the frontend shows them."""
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
    if settings.facebook_enabled:
        providers["facebook"] = FacebookIdentityProvider(
            client_id=settings.facebook_client_id,
            client_secret=settings.facebook_client_secret,
            redirect_uri=settings.facebook_callback_url or settings.callback_url("facebook"),
            authorize_url=settings.facebook_authorize_url,
            graph_url=settings.facebook_graph_url,
            http=http,
        )
    if settings.github_enabled:
        providers["github"] = GitHubIdentityProvider(
            client_id=settings.github_client_id,
            client_secret=settings.github_client_secret,
            redirect_uri=settings.github_callback_url or settings.callback_url("github"),
            oauth_url=settings.github_oauth_url,
            api_url=settings.github_api_url,
            http=http,
        )
    for oidc in settings.oidc:
        providers[oidc.name] = OidcIdentityProvider(_oidc_config(oidc, settings), http)
    return providers


def _oidc_config(oidc: OidcProviderSettings, settings: Settings) -> OidcClientConfig:
    return OidcClientConfig(
        name=oidc.name,
        discovery_url=oidc.discovery_url,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        redirect_uri=oidc.callback_url or settings.callback_url(oidc.name),
        display_name=oidc.title,
        trust_email_verified=oidc.trust_email_verified,
    )
