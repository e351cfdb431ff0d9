"""Facebook Login: the classic code flow (no PKCE: Meta documents it only for its OIDC flow,
still "in testing"), then Graph `me` with `appsecret_proof`.

Facebook's emails count as unverified: Graph gives no `email_verified`, an address is simply
"valid", and its old `verified` flag could mean a verified phone. So a Facebook email never
links to an existing account by itself, and a new account's email still needs verifying.
"""

import hashlib
import hmac

import httpx

from domain.errors import ProviderError
from domain.identities import ProviderIdentity
from infrastructure.providers.code_flow import OAuth2Client, fetch_json, provider_tokens, text
from infrastructure.providers.oauth2.provider import OAuth2IdentityProvider

SCOPE = "email public_profile"
ME_FIELDS = "id,first_name,last_name,name,email,picture"


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """Graph refuses calls without it when "Require App Secret" is on: proof that the caller
    holds the app secret, not only a token."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


class FacebookIdentityProvider(OAuth2IdentityProvider):
    def __init__(
        self, *, client_id: str, client_secret: str, redirect_uri: str, authorize_url: str,
        graph_url: str, http: httpx.AsyncClient,
    ) -> None:
        client = OAuth2Client("facebook", client_id, client_secret, redirect_uri, SCOPE, pkce=False)
        graph = graph_url.rstrip("/")
        super().__init__(client, authorize_url=authorize_url, token_url=f"{graph}/oauth/access_token",
                         http=http, display_name="Facebook")
        self._me_url = f"{graph}/me"
        self._app_secret = client_secret

    async def read_identity(self, token: dict) -> ProviderIdentity:
        access_token = token["access_token"]
        me = await fetch_json(
            self._http, self.name, "GET", self._me_url,
            params={"fields": ME_FIELDS, "appsecret_proof": appsecret_proof(access_token, self._app_secret)},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        return facebook_identity(me, token)


def facebook_identity(me: object, token: dict) -> ProviderIdentity:
    """Graph `me` as a provider identity; `id` (app-scoped) is the subject."""
    if not isinstance(me, dict) or not me.get("id"):
        raise ProviderError()
    return ProviderIdentity(
        provider="facebook",
        subject=str(me["id"]),
        email=text(me.get("email")),
        email_verified=False,
        given_name=text(me.get("first_name")),
        family_name=text(me.get("last_name")),
        name=text(me.get("name")),
        picture=_picture(me.get("picture")),
        tokens=provider_tokens(token),
    )


def _picture(picture: object) -> str | None:
    """`{"data": {"url", "is_silhouette", ...}}`; the silhouette is Facebook's "no photo"."""
    data = picture.get("data") if isinstance(picture, dict) else None
    if not isinstance(data, dict) or data.get("is_silhouette") is True:
        return None
    return text(data.get("url"))
