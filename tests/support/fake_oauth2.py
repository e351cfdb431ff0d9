"""Fake Facebook and GitHub (plain OAuth 2 with a profile API) for end-to-end tests.

Real HTTP servers on 127.0.0.1, like fake_oidc: /authorize decides at once for the person
set with `login_as` (or refuses once after `deny_next`), the token endpoint checks client,
code, redirect URI (and PKCE when a challenge was sent), and the profile endpoints answer
for the access token. Facebook's Graph refuses a `me` call whose `appsecret_proof` is
missing or wrong; GitHub answers a bad code with 200 and an `error`, as GitHub does.

    with FakeFacebook() as facebook:
        facebook.login_as("10001", first_name="Ada", email="ada@example.com")
        ... FACEBOOK_AUTHORIZE_URL=facebook.authorize_url, FACEBOOK_GRAPH_URL=facebook.graph_url ...
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.fake_oidc import Response, _json, _redirect_back, s256
from tests.support.loopback import ServedInBackground, send

GRAPH_VERSION = "v26.0"


class _FakeOAuth2(ServedInBackground):
    """What both fakes share: people, consent, codes and access tokens."""

    def __init__(self, client_id: str = "test-client", client_secret: str = "test-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.users: dict[str, dict[str, Any]] = {}
        self.next_login: str | None = None
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.profile_requests: list[dict[str, str]] = []
        self._lock = threading.RLock()
        self._deny_next = False
        self._codes: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, str] = {}

    def login_as(self, subject: str, **profile: Any) -> None:
        """`subject` approves every following authorization, with this profile."""
        with self._lock:
            self.users[subject] = dict(profile)
            self.next_login = subject

    def deny_next(self) -> None:
        """The next authorization is refused by the person (error=access_denied)."""
        with self._lock:
            self._deny_next = True

    def handle_authorize(self, params: dict[str, str]) -> Response:
        with self._lock:
            self.authorize_requests.append(dict(params))
            if params.get("client_id") != self.client_id or not params.get("redirect_uri"):
                return _json(400, {"error": "invalid_client"})
            back = partial(_redirect_back, params["redirect_uri"], params.get("state"))
            if self._deny_next:
                self._deny_next = False
                return back(**self.denied)
            if self.next_login is None:
                return back(error="login_required")
            code = secrets.token_urlsafe(24)
            self._codes[code] = {"redirect_uri": params["redirect_uri"], "subject": self.next_login,
                                 "challenge": params.get("code_challenge")}
            return back(code=code)

    def handle_token(self, form: dict[str, str]) -> Response:
        with self._lock:
            self.token_requests.append(dict(form))
            grant = self._codes.pop(form.get("code", ""), None)
            if (form.get("client_id") != self.client_id
                    or not secrets.compare_digest(form.get("client_secret", "").encode(), self.client_secret.encode())):
                return self.token_refused("invalid_client")
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri") or not _pkce_ok(grant, form):
                return self.token_refused("bad_verification_code")
            access_token = secrets.token_urlsafe(32)
            self._tokens[access_token] = grant["subject"]
            return _json(200, {"access_token": access_token, "token_type": "bearer", **self.token_extra})

    def subject_of(self, authorization: str | None, params: dict[str, str]) -> str | None:
        scheme, _, token = (authorization or "").partition(" ")
        token = token if scheme.lower() in ("bearer", "oauth") else params.get("access_token", "")
        with self._lock:
            return self._tokens.get(token)

    denied: dict[str, str] = {"error": "access_denied"}
    token_extra: dict[str, Any] = {}

    def token_refused(self, error: str) -> Response:
        return _json(400, {"error": error})

    def routes(self, path: str, params: dict[str, str], authorization: str | None) -> Response | None:
        raise NotImplementedError


def _pkce_ok(grant: dict[str, Any], form: dict[str, str]) -> bool:
    if grant["challenge"] is None:
        return True
    verifier = form.get("code_verifier")
    return verifier is not None and secrets.compare_digest(s256(verifier), grant["challenge"])


class FakeFacebook(_FakeOAuth2):
    """Facebook Login's dialog and the Graph API (`oauth/access_token`, `me`)."""

    denied = {"error": "access_denied", "error_reason": "user_denied", "error_description": "Permissions error"}
    token_extra = {"expires_in": 5_183_944}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._proof_secret: str | None = None

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/{GRAPH_VERSION}/dialog/oauth"

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/{GRAPH_VERSION}"

    def check_next_proof_with(self, secret: str) -> None:
        """The next `me` call's proof is checked against another app secret (one-shot), as
        when the server holds a secret that is not this app's: its proof is wrong."""
        with self._lock:
            self._proof_secret = secret

    def token_refused(self, error: str) -> Response:
        return _json(400, {"error": {"message": error, "type": "OAuthException", "code": 100}})

    def handle_me(self, params: dict[str, str], authorization: str | None) -> Response:
        with self._lock:
            self.profile_requests.append(dict(params))
            subject = self.subject_of(authorization, params)
            if subject is None:
                return _json(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
            token = (authorization or "").partition(" ")[2] or params.get("access_token", "")
            secret, self._proof_secret = self._proof_secret or self.client_secret, None
            expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if not secrets.compare_digest(params.get("appsecret_proof", "").encode(), expected.encode()):
                return _json(400, {"error": {"message": "Invalid appsecret_proof provided in the API argument",
                                             "type": "GraphMethodException", "code": 100}})
            fields = params.get("fields", "id").split(",")
            profile = {"id": subject, **self.users.get(subject, {})}
            return _json(200, {name: value for name, value in profile.items() if name in fields})

    def routes(self, path: str, params: dict[str, str], authorization: str | None) -> Response | None:
        if path == f"/{GRAPH_VERSION}/dialog/oauth":
            return self.handle_authorize(params)
        if path == f"/{GRAPH_VERSION}/oauth/access_token":
            return self.handle_token(params)
        if path == f"/{GRAPH_VERSION}/me":
            return self.handle_me(params, authorization)
        return None


class FakeGitHub(_FakeOAuth2):
    """GitHub's OAuth endpoints (under /login/oauth) and REST API (under /api). `login_as`
    takes the `/user` fields plus `emails`: the `/user/emails` list."""

    token_extra = {"scope": "read:user,user:email"}

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/login/oauth"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    def token_refused(self, error: str) -> Response:
        return _json(200, {"error": error, "error_description": "The code passed is incorrect or expired."})

    def handle_api(self, resource: str, authorization: str | None) -> Response:
        with self._lock:
            self.profile_requests.append({"resource": resource})
            subject = self.subject_of(authorization, {})
            if subject is None:
                return _json(401, {"message": "Bad credentials"})
            profile = dict(self.users.get(subject, {}))
            emails = profile.pop("emails", [])
            if resource == "emails":
                return _json(200, emails)
            return _json(200, {"id": int(subject), "login": f"user{subject}", "name": None, "email": None,
                               "avatar_url": None, **profile})

    def routes(self, path: str, params: dict[str, str], authorization: str | None) -> Response | None:
        if path == "/login/oauth/authorize":
            return self.handle_authorize(params)
        if path == "/login/oauth/access_token":
            return self.handle_token(params)
        if path in ("/api/user", "/api/user/emails"):
            return self.handle_api(path.rpartition("/")[2], authorization)
        return None


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self._answer(url.path, dict(parse_qsl(url.query, keep_blank_values=True)))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        url = urlsplit(self.path)
        params = {**dict(parse_qsl(url.query)), **dict(parse_qsl(body, keep_blank_values=True))}
        self._answer(url.path, params)

    def _answer(self, path: str, params: dict[str, str]) -> None:
        fake: _FakeOAuth2 = self.server.fake  # type: ignore[attr-defined]
        try:
            answer = fake.routes(path, params, self.headers.get("Authorization"))
            status, headers, body = answer or _json(404, {"error": "not_found"})
        except Exception as exc:  # a bug here should surface as a readable 500
            status, headers, body = _json(500, {"error": "fake_oauth2_bug", "error_description": repr(exc)})
        send(self, status, headers, body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


_FakeOAuth2.handler = _Handler
