"""The identity providers this deployment offers, keyed by name, in the order the frontend
shows them: Google, Facebook and GitHub when their client is configured, then each
OIDC_PROVIDERS entry. Every provider is read the same way, from its <NAME>_* variables: the
field `client_id` of the provider `acme` is ACME_CLIENT_ID. Another built-in provider is one
more kind below and one more entry of BUILT_IN (and of the registry that builds it)."""

import re
from collections.abc import Mapping
from typing import ClassVar, TypeVar

import msgspec

from infrastructure.settings.environment import ConfigError, check_urls, comma_list, convert

FACEBOOK_GRAPH_VERSION = "v26.0"  # newest in Meta's changelog (2026-07); raise it when Meta retires it
OIDC_NAME = re.compile(r"[a-z][a-z0-9]{0,31}")
# The other /auth/<name> routes: no provider may take their name.
ROUTE_NAMES = frozenset({
    "accounts", "providers", "login", "logout", "register", "me", "refresh", "email", "profile", "phone",
    "password", "sessions", "events", "unlock", "finish",
})


class ProviderSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What every provider has: an OAuth client, and where the browser comes back to."""

    URLS: ClassVar[tuple[str, ...]] = ()  # the fields checked as http(s) URLs at start

    name: str
    client_id: str
    client_secret: str
    # <NAME>_CALLBACK_URL; unset, the API's URL + /auth/<name>/callback (filled in when read).
    callback_url: str = ""


class GoogleSettings(ProviderSettings, frozen=True, kw_only=True):
    """Without its client, /auth/google still answers (503 provider_not_configured)."""

    discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    prompt: str = "select_account"  # passed to Google's authorization endpoint, as access_type
    access_type: str = "offline"


class FacebookSettings(ProviderSettings, frozen=True, kw_only=True):
    URLS = ("authorize_url", "graph_url")

    authorize_url: str = f"https://www.facebook.com/{FACEBOOK_GRAPH_VERSION}/dialog/oauth"
    graph_url: str = f"https://graph.facebook.com/{FACEBOOK_GRAPH_VERSION}"


class GitHubSettings(ProviderSettings, frozen=True, kw_only=True):
    URLS = ("oauth_url", "api_url")

    oauth_url: str = "https://github.com/login/oauth"
    api_url: str = "https://api.github.com"


class OidcProviderSettings(ProviderSettings, frozen=True, kw_only=True):
    """One entry of OIDC_PROVIDERS."""

    URLS = ("discovery_url", "callback_url")
    REQUIRED: ClassVar[tuple[str, ...]] = ("discovery_url", "client_id", "client_secret")

    discovery_url: str
    display_name: str | None = None  # default: the name, capitalised
    trust_email_verified: bool = False  # false: its emails count as unverified

    @property
    def title(self) -> str:
        return self.display_name or self.name.capitalize()


BUILT_IN: dict[str, type[ProviderSettings]] = {
    "google": GoogleSettings, "facebook": FacebookSettings, "github": GitHubSettings,
}
P = TypeVar("P", bound=ProviderSettings)


def read_providers(variables: Mapping[str, str], api_url: str) -> dict[str, ProviderSettings]:
    """The providers offered; `api_url` gives the callback URLs that are not set."""
    providers: dict[str, ProviderSettings] = {}
    for name, kind in BUILT_IN.items():
        if _configured(name, kind, variables):
            providers[name] = _read(name, kind, variables, api_url)
    for name in _oidc_names(variables):
        providers[name] = _oidc_entry(name, variables, api_url)
    return providers


def _configured(name: str, kind: type[ProviderSettings], variables: Mapping[str, str]) -> bool:
    """A built-in provider's id and secret go together: one alone would leave the provider
    silently off (or, for Google, answering 503 provider_not_configured). Its URLs are
    checked even when it is off."""
    prefix = name.upper()
    client_id, client_secret = f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET"
    if (client_id in variables) != (client_secret in variables):
        raise ConfigError(f"{client_id} and {client_secret}: set both or neither")
    if client_id not in variables:
        _check_urls(name, kind, variables)
    return client_id in variables


def _oidc_names(variables: Mapping[str, str]) -> list[str]:
    names = [name.lower() for name in comma_list(variables.get("OIDC_PROVIDERS", ""))]
    reserved = BUILT_IN.keys() | ROUTE_NAMES
    for name in names:
        if not OIDC_NAME.fullmatch(name) or name in reserved:
            raise ConfigError(f'OIDC_PROVIDERS: "{name}" is not a usable name (lowercase letters and '
                              f"digits, not {', '.join(sorted(reserved))})")
    if len(set(names)) != len(names):
        raise ConfigError(f'OIDC_PROVIDERS: a name is listed twice in "{",".join(names)}"')
    return names


def _oidc_entry(name: str, variables: Mapping[str, str], api_url: str) -> OidcProviderSettings:
    prefix = name.upper()
    for field in OidcProviderSettings.REQUIRED:
        if f"{prefix}_{field.upper()}" not in variables:
            raise ConfigError(f"{prefix}_{field.upper()}: OIDC_PROVIDERS lists {name}, so it is required")
    return _read(name, OidcProviderSettings, variables, api_url)


def _read(name: str, kind: type[P], variables: Mapping[str, str], api_url: str) -> P:
    """<NAME>_<FIELD> for each field of `kind`; each error names its variable."""
    prefix = name.upper()
    values: dict[str, object] = {"name": name}
    for field in msgspec.structs.fields(kind):
        if field.name != "name" and f"{prefix}_{field.name.upper()}" in variables:
            values[field.name] = variables[f"{prefix}_{field.name.upper()}"]
    provider = convert(values, kind, lambda key: f"{prefix}_{key.upper()}")
    _check_urls(name, kind, variables)
    return msgspec.structs.replace(provider, callback_url=provider.callback_url or f"{api_url}/auth/{name}/callback")


def _check_urls(name: str, kind: type[ProviderSettings], variables: Mapping[str, str]) -> None:
    prefix = name.upper()
    check_urls(**{f"{prefix}_{field.upper()}": variables.get(f"{prefix}_{field.upper()}") for field in kind.URLS})
