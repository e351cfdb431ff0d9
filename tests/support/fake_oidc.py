"""A fake OpenID Connect provider ("Sign in with Google") for end-to-end tests.

It is a real HTTP server on 127.0.0.1 (daemon thread), so the code under test
talks to it exactly as it would talk to Google: discovery, authorization code
flow with mandatory PKCE S256, RS256 id_tokens, JWKS and userinfo. There is no
consent screen: /authorize decides at once for ``next_login``. Tests steer it
with knobs (login_as, deny_next, tamper_next, rotate_key) and inspect what it
received (authorize_requests, token_requests).

    with FakeOidcProvider() as idp:
        idp.login_as("google-sub-1", email="ada@example.com", email_verified=True)
        ... point the app at idp.discovery_url, drive the flow ...
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.support.loopback import send, serve_in_background, stop_serving

TOKEN_TTL = 3600  # id_token and access_token lifetime, like Google
SCOPES = ["openid", "email", "profile"]
PROFILE_CLAIMS = ["email", "email_verified", "name", "given_name", "family_name", "picture"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1

Response = tuple[int, dict[str, str], bytes]


def s256(verifier: str) -> str:
    """PKCE S256 challenge: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_key(prefix: str) -> RSAKey:
    kid = f"{prefix}-{secrets.token_hex(4)}"
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def _redirect_back(redirect_uri: str, state: str | None, **params: str) -> Response:
    if state is not None:  # echoed verbatim, and only when the client sent one
        params["state"] = state
    separator = "&" if "?" in redirect_uri else "?"
    return 302, {"Location": redirect_uri + separator + urlencode(params)}, b""


class FakeOidcProvider:
    def __init__(
        self, client_id: str = "test-client", client_secret: str = "test-secret", *,
        code_ttl: float = 60, port: int = 0,
    ):
        self.port = port  # 0: the OS picks a free one
        self.client_id = client_id
        self.client_secret = client_secret
        self.code_ttl = code_ttl
        self.users: dict[str, dict[str, Any]] = {}
        self.next_login: str | None = None  # sticky, like a browser session at Google
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._lock = threading.RLock()  # handler threads and the test thread share everything below
        self._key = _new_key("key")
        self._deny_next = False
        self._tamper: dict[str, Any] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, str] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOidcProvider:
        self._server, self._thread = serve_in_background(_Handler, port=self.port, idp=self)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            stop_serving(self._server, self._thread)
            self._server = self._thread = None

    __enter__ = start

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeOidcProvider is not running")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def kid(self) -> str:
        """kid of the key currently signing id_tokens and served at /jwks."""
        return self._key.kid

    def set_user(self, sub: str, **claims: Any) -> None:
        """Register (or replace) a user and the claims put in id_token/userinfo."""
        with self._lock:
            self.users[sub] = dict(claims)

    def login_as(self, sub: str, **claims: Any) -> None:
        """Make `sub` the user who approves every following authorization."""
        with self._lock:
            if claims or sub not in self.users:
                self.users[sub] = dict(claims)
            self.next_login = sub

    def deny_next(self) -> None:
        """The next authorization is refused by the user (error=access_denied)."""
        with self._lock:
            self._deny_next = True

    def tamper_next(self, **overrides: Any) -> None:
        """Sabotage the next token response (one-shot). Any key overrides that id_token claim (None
        removes it), except: exp_offset (seconds from now to exp, iat = exp - 3600), sign_with_unknown_key
        (kid absent from JWKS), token_error (answer this OAuth error; 500 for server_error, else 400)."""
        with self._lock:
            self._tamper.update(overrides)

    def rotate_key(self) -> str:
        """Replace the signing key; JWKS then serves only the new one. Returns its kid."""
        key = _new_key("key")
        with self._lock:
            self._key = key
        return key.kid

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return KeySet([self._key]).as_dict(private=False)

    def discovery(self) -> dict[str, Any]:
        issuer = self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "jwks_uri": issuer + "/jwks",
            "userinfo_endpoint": issuer + "/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES,
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["iss", "aud", "sub", "iat", "exp", "nonce", *PROFILE_CLAIMS],
        }

    def handle_authorize(self, params: dict[str, str]) -> Response:
        with self._lock:
            self.authorize_requests.append(dict(params))
            # Unknown client or no redirect_uri: never redirect to an unverified place (RFC 6749 §4.1.2.1).
            if params.get("client_id") != self.client_id:
                return _json(400, {"error": "invalid_client"})
            if not params.get("redirect_uri"):
                return _json(400, {"error": "invalid_request", "error_description": "redirect_uri is required"})
            back = partial(_redirect_back, params["redirect_uri"], params.get("state"))
            if params.get("response_type") != "code":
                return back(error="unsupported_response_type")
            if "openid" not in params.get("scope", "").split():
                return back(error="invalid_scope")
            if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
                return back(error="invalid_request", error_description="PKCE with S256 is required")
            if self._deny_next:
                self._deny_next = False
                return back(error="access_denied")
            if self.next_login is None:
                return back(error="login_required")
            code = secrets.token_urlsafe(24)
            self._codes[code] = {
                "client_id": params["client_id"], "redirect_uri": params["redirect_uri"],
                "sub": self.next_login, "nonce": params.get("nonce"), "scope": params["scope"],
                "code_challenge": params["code_challenge"], "expires_at": time.monotonic() + self.code_ttl,
            }
            return back(code=code)

    def handle_token(self, form: dict[str, str], authorization: str | None) -> Response:
        with self._lock:
            self.token_requests.append(dict(form))
            client_id = self._authenticate_client(form, authorization)
            if client_id is None:
                return _json(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="fake-oidc"'})
            if "token_error" in self._tamper:
                error = self._tamper.pop("token_error")
                self._tamper.clear()
                return _json(500 if error == "server_error" else 400, {"error": error}, NO_STORE)
            if form.get("grant_type") != "authorization_code":
                return _json(400, {"error": "unsupported_grant_type"}, NO_STORE)
            grant = self._codes.pop(form.get("code", ""), None)  # popped first: a code never works twice
            if grant is None or not self._grant_ok(grant, client_id, form):
                return _json(400, {"error": "invalid_grant"}, NO_STORE)
            tamper, self._tamper = self._tamper, {}
            access_token = secrets.token_urlsafe(32)
            self._access_tokens[access_token] = grant["sub"]
            body = {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL,
                    "refresh_token": secrets.token_urlsafe(32), "scope": grant["scope"],
                    "id_token": self._id_token(grant, tamper)}
            return _json(200, body, NO_STORE)

    def handle_userinfo(self, authorization: str | None) -> Response:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            sub = self._access_tokens.get(token) if scheme.lower() == "bearer" else None
            if sub is None:
                return _json(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return _json(200, {"sub": sub, **self.users.get(sub, {})})

    def _authenticate_client(self, form: dict[str, str], authorization: str | None) -> str | None:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
            except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
                return None
            # RFC 6749 §2.3.1 wants both parts form-encoded; authlib doesn't encode them. Accept either.
            candidates = [(client_id, secret), (unquote_plus(client_id), unquote_plus(secret))]
        else:
            candidates = [(form.get("client_id", ""), form.get("client_secret", ""))]
        for client_id, secret in candidates:
            if (client_id == self.client_id and form.get("client_id", client_id) == client_id
                    and secrets.compare_digest(secret.encode(), self.client_secret.encode())):
                return client_id
        return None

    @staticmethod
    def _grant_ok(grant: dict[str, Any], client_id: str, form: dict[str, str]) -> bool:
        verifier = form.get("code_verifier")
        return (
            time.monotonic() < grant["expires_at"]
            and grant["client_id"] == client_id
            and grant["redirect_uri"] == form.get("redirect_uri")
            and verifier is not None
            and secrets.compare_digest(s256(verifier), grant["code_challenge"])
        )

    def _id_token(self, grant: dict[str, Any], tamper: dict[str, Any]) -> str:
        exp = int(time.time()) + tamper.pop("exp_offset", TOKEN_TTL)
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": grant["client_id"], "azp": grant["client_id"],
            "sub": grant["sub"], "iat": exp - TOKEN_TTL, "exp": exp, "nonce": grant["nonce"],
        }
        claims.update(self.users.get(grant["sub"], {}))
        key = _new_key("unknown") if tamper.pop("sign_with_unknown_key", False) else self._key
        claims.update(tamper)
        claims = {name: value for name, value in claims.items() if value is not None}  # e.g. no nonce sent
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP adapter: parses the request, lets the provider decide, writes the answer."""

    def do_GET(self) -> None:
        idp: FakeOidcProvider = self.server.idp  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        routes = {
            "/.well-known/openid-configuration": lambda: _json(200, idp.discovery()),
            "/jwks": lambda: _json(200, idp.jwks()),
            "/authorize": lambda: idp.handle_authorize(dict(parse_qsl(url.query, keep_blank_values=True))),
            "/userinfo": lambda: idp.handle_userinfo(self.headers.get("Authorization")),
        }
        self._answer(routes.get(url.path))

    def do_POST(self) -> None:
        idp: FakeOidcProvider = self.server.idp  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = dict(parse_qsl(body, keep_blank_values=True))
        routes = {
            "/token": lambda: idp.handle_token(form, self.headers.get("Authorization")),
            "/userinfo": lambda: idp.handle_userinfo(self.headers.get("Authorization")),
        }
        self._answer(routes.get(urlsplit(self.path).path))

    def _answer(self, route: Any) -> None:
        try:
            status, headers, body = route() if route else _json(404, {"error": "not_found"})
        except Exception as exc:  # a bug here should surface as a readable 500, not a reset connection
            status, headers, body = _json(500, {"error": "fake_oidc_bug", "error_description": repr(exc)})
        send(self, status, headers, body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


def main() -> None:
    """`make oidc-dev EMAIL=... NAME=...`: a local stand-in for Google, signing everyone in as one person."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--email", default="dev@example.com")
    parser.add_argument("--name", default="Dev User")
    args = parser.parse_args()
    given, _, family = args.name.partition(" ")
    with FakeOidcProvider(port=args.port) as idp:
        idp.login_as(f"dev-{args.email}", email=args.email, email_verified=True, name=args.name,
                     given_name=given, family_name=family or None)
        print(f"Fake Google at {idp.issuer}: every sign-in is {args.name} <{args.email}> (verified).\n"
              f"Leave it running. In a second terminal, start Sésame with these variables:\n\n"
              f"  GOOGLE_CLIENT_ID={idp.client_id} GOOGLE_CLIENT_SECRET={idp.client_secret} "
              f"GOOGLE_DISCOVERY_URL={idp.discovery_url} make dev\n\n"
              f"Another person: stop this (Ctrl+C) and run make oidc-dev EMAIL=... NAME=\"...\"", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
