"""Which identity providers this deployment offers, from the settings: one adapter per entry
of Settings.providers (Google, Facebook and GitHub when configured, then every
OIDC_PROVIDERS entry), in their order. Another provider is one more kind here."""

import httpx

from application.ports.identity import IdentityProvider
from infrastructure.providers.oauth2.facebook import FacebookIdentityProvider
from infrastructure.providers.oauth2.github import GitHubIdentityProvider
from infrastructure.providers.oidc.provider import OidcClientConfig, OidcIdentityProvider
from infrastructure.settings import Settings
from infrastructure.settings.providers import (
    FacebookSettings,
    GitHubSettings,
    GoogleSettings,
    OidcProviderSettings,
    ProviderSettings,
)


def identity_providers(settings: Settings, http: httpx.AsyncClient) -> dict[str, IdentityProvider]:
    """The configured providers, in the order the frontend shows them."""
    return {name: _provider(provider, http) for name, provider in settings.providers.items()}


def _provider(provider: ProviderSettings, http: httpx.AsyncClient) -> IdentityProvider:
    match provider:
        case GoogleSettings():
            google = OidcClientConfig(
                name=provider.name,
                discovery_url=provider.discovery_url,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                redirect_uri=provider.callback_url,
                authorize_params={"access_type": provider.access_type, "prompt": provider.prompt},
            )
            return OidcIdentityProvider(google, http)
        case FacebookSettings():
            return FacebookIdentityProvider(
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                redirect_uri=provider.callback_url,
                authorize_url=provider.authorize_url,
                graph_url=provider.graph_url,
                http=http,
            )
        case GitHubSettings():
            return GitHubIdentityProvider(
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                redirect_uri=provider.callback_url,
                oauth_url=provider.oauth_url,
                api_url=provider.api_url,
                http=http,
            )
        case OidcProviderSettings():
            return OidcIdentityProvider(_oidc_config(provider), http)
    raise TypeError(f"no adapter for {type(provider).__name__}")


def _oidc_config(oidc: OidcProviderSettings) -> OidcClientConfig:
    return OidcClientConfig(
        name=oidc.name,
        discovery_url=oidc.discovery_url,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        redirect_uri=oidc.callback_url,
        display_name=oidc.title,
        trust_email_verified=oidc.trust_email_verified,
    )
