"""How Facebook's and GitHub's profile answers become a provider identity, and which
providers the settings give."""

import hashlib
import hmac

import httpx
import pytest

from domain.errors import ProviderError
from infrastructure.providers.oauth2.facebook import appsecret_proof, facebook_identity
from infrastructure.providers.oauth2.github import github_identity
from infrastructure.providers.registry import identity_providers
from infrastructure.settings import load_settings

TOKEN = {"access_token": "at-1", "token_type": "bearer", "expires_in": 5183944}
FB_PICTURE = {"data": {"height": 50, "width": 50, "is_silhouette": False, "url": "https://fb.example/p.jpg"}}


class TestFacebook:
    def test_a_full_profile(self):
        me = {"id": "10001", "first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace",
              "email": "ada@example.com", "picture": FB_PICTURE}
        identity = facebook_identity(me, TOKEN)
        assert (identity.provider, identity.subject, identity.email) == ("facebook", "10001", "ada@example.com")
        assert (identity.given_name, identity.family_name) == ("Ada", "Lovelace")
        assert identity.picture == "https://fb.example/p.jpg"  # picture.data.url
        assert identity.tokens.access_token == "at-1" and identity.tokens.expires_at

    def test_its_emails_are_never_taken_as_verified(self):
        assert not facebook_identity({"id": "1", "email": "ada@example.com", "verified": True}, TOKEN).email_verified

    def test_missing_email_names_and_picture_are_none(self):
        identity = facebook_identity({"id": "10002"}, TOKEN)
        assert (identity.email, identity.given_name, identity.family_name, identity.name, identity.picture) == (
            None, None, None, None, None)
        assert identity.normalized_email is None

    def test_only_a_name_is_split_into_the_profile(self):
        profile = facebook_identity({"id": "3", "name": "Jean Du Pont", "first_name": ""}, TOKEN).profile()
        assert (profile.firstname, profile.lastname) == ("Jean", "Du Pont")

    @pytest.mark.parametrize("picture", [
        {"data": {"is_silhouette": True, "url": "https://fb.example/default.jpg"}},  # Facebook's "no photo"
        {"data": {}}, {"data": "x"}, "https://fb.example/p.jpg", None,
    ])
    def test_a_silhouette_or_an_odd_picture_is_no_photo(self, picture):
        assert facebook_identity({"id": "4", "picture": picture}, TOKEN).picture is None

    @pytest.mark.parametrize("me", [{}, {"id": ""}, [], "x", {"error": {"code": 190}}])
    def test_an_answer_without_an_id_is_a_provider_error(self, me):
        with pytest.raises(ProviderError):
            facebook_identity(me, TOKEN)

    def test_appsecret_proof_is_the_hmac_sha256_of_the_token_keyed_by_the_app_secret(self):
        expected = hmac.new(b"app-secret", b"at-1", hashlib.sha256).hexdigest()
        assert appsecret_proof("at-1", "app-secret") == expected


def emails(*entries):
    return [{"email": e, "primary": p, "verified": v, "visibility": None} for e, p, v in entries]


class TestGitHub:
    USER = {"id": 583231, "login": "octocat", "name": "The Octocat", "email": "public@example.com",
            "avatar_url": "https://avatars.example/u/583231"}

    def test_the_primary_verified_address_is_the_verified_email(self):
        identity = github_identity(self.USER, emails(("other@example.com", False, True),
                                                     ("main@example.com", True, True)), TOKEN)
        assert (identity.subject, identity.email, identity.email_verified) == ("583231", "main@example.com", True)
        assert (identity.name, identity.picture) == ("The Octocat", "https://avatars.example/u/583231")

    def test_an_unverified_primary_address_is_unverified_even_if_another_is_verified(self):
        identity = github_identity(self.USER, emails(("other@example.com", False, True),
                                                     ("main@example.com", True, False)), TOKEN)
        assert (identity.email, identity.email_verified) == ("main@example.com", False)

    def test_without_the_emails_list_the_public_address_is_unverified(self):
        identity = github_identity(self.USER, [], TOKEN)
        assert (identity.email, identity.email_verified) == ("public@example.com", False)

    def test_no_address_at_all_and_no_name(self):
        identity = github_identity({"id": 7, "login": "ghost", "name": None, "email": None}, "not a list", TOKEN)
        assert (identity.email, identity.email_verified, identity.name, identity.picture) == (None, False, None, None)
        assert identity.profile().firstname is None  # the login is no name: the profile asks for one

    @pytest.mark.parametrize("user", [{}, {"id": None}, [], {"message": "Bad credentials"}])
    def test_an_answer_without_an_id_is_a_provider_error(self, user):
        with pytest.raises(ProviderError):
            github_identity(user, [], TOKEN)


async def test_the_settings_give_the_providers_in_button_order_with_their_names():
    env = {"GOOGLE_CLIENT_ID": "g", "GOOGLE_CLIENT_SECRET": "gs", "GITHUB_CLIENT_ID": "h", "GITHUB_CLIENT_SECRET": "hs",
           "FACEBOOK_CLIENT_ID": "f", "FACEBOOK_CLIENT_SECRET": "fs", "OIDC_PROVIDERS": "corp",
           "CORP_DISCOVERY_URL": "https://corp.example/d", "CORP_CLIENT_ID": "c", "CORP_CLIENT_SECRET": "cs"}
    async with httpx.AsyncClient() as http:
        providers = identity_providers(load_settings(env, env_file="/nonexistent"), http)
        assert {name: p.display_name for name, p in providers.items()} == {
            "google": "Google", "facebook": "Facebook", "github": "GitHub", "corp": "Corp"}
        url = await providers["github"].authorization_url(state="st", nonce="n", code_verifier="v" * 43)
        assert url.startswith("https://github.com/login/oauth/authorize?") and "code_challenge_method=S256" in url
        assert "redirect_uri=http%3A%2F%2Flocalhost%3A4000%2Fauth%2Fgithub%2Fcallback" in url
        url = await providers["facebook"].authorization_url(state="st", nonce="n", code_verifier="v" * 43)
        assert url.startswith("https://www.facebook.com/v26.0/dialog/oauth?") and "code_challenge" not in url
        assert "state=st" in url and "scope=email+public_profile" in url
