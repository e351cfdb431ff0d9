"""The authorization-code flow every provider shares, OpenID Connect or not: the URL to send
the browser to (built with authlib's core functions), the code exchange over the shared httpx
client (authlib's httpx integration warns at import that it is deprecated), and JSON reads
that turn any failure into ProviderError."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from domain.errors import ProviderError
from domain.identities import ProviderTokens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OAuth2Client:
    """This service as registered at one provider."""

    name: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str
    pkce: bool = True  # send a S256 challenge (only where the provider supports it)
    authorize_params: dict[str, str] = field(default_factory=dict)

    def grant_uri(self, endpoint: str, *, state: str, code_verifier: str, **extra: str) -> str:
        if self.pkce:
            extra.update(code_challenge=create_s256_code_challenge(code_verifier), code_challenge_method="S256")
        return prepare_grant_uri(
            endpoint, self.client_id, "code", redirect_uri=self.redirect_uri, scope=self.scope,
            state=state, **extra, **self.authorize_params,
        )

    async def exchange(self, http: httpx.AsyncClient, endpoint: str, code: str, code_verifier: str) -> dict:
        """The token request (RFC 6749 §4.1.3), client_secret_post, with the PKCE verifier when
        one was sent; a refusal (4xx, or GitHub's 200 with an `error`), a failure (5xx, network)
        or no access token: ProviderError."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if self.pkce:
            form["code_verifier"] = code_verifier
        token = await fetch_json(http, self.name, "POST", endpoint, data=form)
        if not isinstance(token, dict) or "error" in token or not token.get("access_token"):
            log.warning("%s token exchange refused: %r", self.name, token.get("error") if isinstance(token, dict) else token)
            raise ProviderError()
        return token


async def fetch_json(http: httpx.AsyncClient, provider: str, method: str, url: str, **kwargs: Any) -> Any:
    """A provider's JSON answer; a 4xx, 5xx, network failure or non-JSON body is ProviderError."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    try:
        response = await http.request(method, url, headers=headers, **kwargs)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("%s: %s %s failed: %r", provider, method, url.split("?")[0], exc)
        raise ProviderError() from exc


def provider_tokens(token: dict) -> ProviderTokens:
    expires_in = token.get("expires_in")
    try:
        expires_at = datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None
    except (TypeError, ValueError):
        expires_at = None
    return ProviderTokens(
        access_token=token.get("access_token"),
        refresh_token=token.get("refresh_token"),
        id_token=token.get("id_token"),
        expires_at=expires_at,
        scope=token.get("scope"),
    )


def text(value: object) -> str | None:
    """A profile field as text, or None (providers send null, numbers, or nothing)."""
    return value if isinstance(value, str) and value.strip() else None
