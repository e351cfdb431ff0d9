"""GitHub OAuth apps: the code flow with PKCE S256 (supported since 2025-07-14), then
`/user` and `/user/emails`. Only the primary address, when GitHub has verified it, is a
verified email; otherwise the identity carries an unverified address, or none."""

import httpx

from domain.errors import ProviderError
from domain.identities import ProviderIdentity
from infrastructure.providers.code_flow import OAuth2Client, fetch_json, provider_tokens, text
from infrastructure.providers.oauth2.provider import OAuth2IdentityProvider

SCOPE = "read:user user:email"
API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "Sesame",  # GitHub refuses API calls without one
}


class GitHubIdentityProvider(OAuth2IdentityProvider):
    def __init__(
        self, *, client_id: str, client_secret: str, redirect_uri: str, oauth_url: str, api_url: str,
        http: httpx.AsyncClient,
    ) -> None:
        client = OAuth2Client("github", client_id, client_secret, redirect_uri, SCOPE, pkce=True)
        oauth = oauth_url.rstrip("/")
        super().__init__(client, authorize_url=f"{oauth}/authorize", token_url=f"{oauth}/access_token",
                         http=http, display_name="GitHub")
        self._api = api_url.rstrip("/")

    async def read_identity(self, token: dict) -> ProviderIdentity:
        headers = {**API_HEADERS, "Authorization": f"Bearer {token['access_token']}"}
        user = await fetch_json(self._http, self.name, "GET", f"{self._api}/user", headers=headers)
        emails = await fetch_json(self._http, self.name, "GET", f"{self._api}/user/emails", headers=headers)
        return github_identity(user, emails, token)


def github_identity(user: object, emails: object, token: dict) -> ProviderIdentity:
    """`/user` and `/user/emails` as a provider identity; the numeric `id` is the subject
    (a login can be renamed and then taken by someone else)."""
    if not isinstance(user, dict) or not user.get("id"):
        raise ProviderError()
    email, verified = _email(user, emails if isinstance(emails, list) else [])
    return ProviderIdentity(
        provider="github",
        subject=str(user["id"]),
        email=email,
        email_verified=verified,
        name=text(user.get("name")),
        picture=text(user.get("avatar_url")),
        tokens=provider_tokens(token),
    )


def _email(user: dict, emails: list) -> tuple[str | None, bool]:
    """The primary address, verified or not (an unverified one links nothing and asks to be
    verified); without one, the public profile address, unverified."""
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary") and text(e.get("email"))), None)
    if primary is not None:
        return primary["email"], primary.get("verified") is True
    return text(user.get("email")), False
