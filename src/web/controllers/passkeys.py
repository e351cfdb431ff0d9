"""Passkeys (WebAuthn): registering and managing an account's passkeys, and signing in with one."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, HttpMethod, Request, Response, delete, get, patch, post, route
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from application.policy import PasskeyPolicy
from application.use_cases.list_passkeys import ListPasskeys
from application.use_cases.login_with_passkey import LoginWithPasskey
from application.use_cases.register_passkey import RegisterPasskey
from application.use_cases.remove_passkey import RemovePasskey
from application.use_cases.rename_passkey import RenamePasskey
from application.use_cases.start_passkey_login import StartPasskeyLogin
from application.use_cases.start_passkey_registration import StartPasskeyRegistration
from domain.errors import InvalidPasskey, NotFound
from web.dto import (
    LoginOut, OkOut, PasskeyEnvelopeOut, PasskeyLoginBody, PasskeyOut, PasskeyRegisterBody, PasskeyRenameBody,
    PasskeysOut, UserOut, WebAuthnOptions,
)
from web.edge.client import client_info
from web.edge.cookies import CookiePolicy, DeviceCookie, PasskeyChallengeCookie, SidCookie
from web.errors import DOMAIN_ERRORS, error_response
from web.openapi import (
    FRESH_AUTHENTICATION, SIGN_IN_COOKIES, Failures, failures, per, sets_cookies, spell,
)

_POLICY = PasskeyPolicy()
_PER_ADDRESS = (
    f"At most {_POLICY.per_address.requests} per client address {per(_POLICY.per_address.window)} "
    "(429 `rate_limited` with Retry-After)."
)
PasskeyId = Annotated[str, PathParameter(description="A passkey `id` from GET /auth/passkeys")]


def _own(passkey_id: str) -> UUID:
    """A passkey id from the path; one that is no id at all names no passkey (404)."""
    try:
        return UUID(passkey_id)
    except ValueError:
        raise NotFound() from None


class PasskeysController(Controller):
    path = "/auth/passkeys"
    tags = ["passkeys"]

    @post("/register/options", status_code=200, summary="Creation options for a new passkey",
          description="For `navigator.credentials.create()`: a discoverable credential with user "
          "verification, ES256 or RS256, the account's passkeys excluded. The challenge is bound to "
          f"this session, single use, {spell(_POLICY.challenge_ttl)}; a new call replaces it. An account "
          "whose email is not verified gets 403 `email_not_verified` (nothing is added to an unproven "
          "address). " + FRESH_AUTHENTICATION,
          responses=failures("not_authenticated", "reauth_required", "email_not_verified", "not_ready"))
    async def register_options(
        self, start_passkey_registration: NamedDependency[StartPasskeyRegistration], sid: SidCookie
    ) -> WebAuthnOptions:
        return await start_passkey_registration.execute(sid)

    @post("/register", status_code=201, summary="Add the passkey the authenticator made",
          description="The answer to this session's creation options (used up whatever the verdict). "
          "`name` defaults to the authenticator's model when its AAGUID is known, else \"Passkey\". "
          "A refused answer (challenge, origin, RP id, type, user verification, attestation) is 400 "
          "`invalid_passkey` and stores nothing. An account whose email is not verified gets 403 "
          "`email_not_verified`. Event `passkey_added`, and a notice to the owner.",
          responses=failures("invalid_request", "invalid_passkey", "not_authenticated", "email_not_verified",
                             "passkey_exists", "not_ready"))
    async def register(
        self, request: Request, data: JSONBody[PasskeyRegisterBody],
        register_passkey: NamedDependency[RegisterPasskey], sid: SidCookie,
    ) -> PasskeyEnvelopeOut:
        passkey = await register_passkey.execute(sid, data.credential, data.name, client_info(request))
        return PasskeyEnvelopeOut(PasskeyOut.of(passkey))

    @get("/", summary="The account's passkeys, oldest first",
         responses=failures("not_authenticated", "not_ready"))
    async def list_all(self, list_passkeys: NamedDependency[ListPasskeys], sid: SidCookie) -> PasskeysOut:
        return PasskeysOut([PasskeyOut.of(passkey) for passkey in await list_passkeys.execute(sid)])

    # Litestar answers OPTIONS on a path of two handlers with the first one's methods only: this
    # path says all of its own. Named to come first, as Litestar registers handlers by name.
    @route("/{passkey_id:str}", http_method=[HttpMethod.OPTIONS], status_code=204, include_in_schema=False,
           response_headers=[ResponseHeader(name="Allow", value="DELETE, OPTIONS, PATCH")])
    async def allowed_methods(self, passkey_id: PasskeyId) -> None:
        return None

    @patch("/{passkey_id:str}", summary="Rename one of the account's passkeys",
           description="Another account's passkey is 404 `not_found`, as one that does not exist.",
           responses=failures("invalid_request", "not_authenticated", "not_found", "not_ready"))
    async def rename(
        self, passkey_id: PasskeyId, data: JSONBody[PasskeyRenameBody],
        rename_passkey: NamedDependency[RenamePasskey], sid: SidCookie,
    ) -> PasskeyEnvelopeOut:
        passkey = await rename_passkey.execute(sid, _own(passkey_id), data.name)
        return PasskeyEnvelopeOut(PasskeyOut.of(passkey))

    @delete("/{passkey_id:str}", status_code=200, summary="Remove one of the account's passkeys",
            description="An account without a password or a linked provider keeps its last passkey (409 "
            "`last_login_method`). Event `passkey_removed`, and a notice to the owner. " + FRESH_AUTHENTICATION,
            responses=failures("not_authenticated", "reauth_required", "not_found", "last_login_method",
                               "not_ready"))
    async def remove(
        self, request: Request, passkey_id: PasskeyId, remove_passkey: NamedDependency[RemovePasskey],
        sid: SidCookie,
    ) -> OkOut:
        await remove_passkey.execute(sid, _own(passkey_id), client_info(request))
        return OkOut()

    @post("/login/options", status_code=200, summary="Request options of a passkey sign-in",
          description="For `navigator.credentials.get()`: discoverable (empty `allowCredentials`), user "
          f"verification required. {_PER_ADDRESS}",
          responses=failures("rate_limited", "not_ready"),
          response_headers=[sets_cookies(
              f"`passkey_challenge` (HttpOnly, Path=/auth, {spell(_POLICY.challenge_ttl)}): binds the challenge "
              "to this browser."
          )])
    async def login_options(
        self, request: Request, start_passkey_login: NamedDependency[StartPasskeyLogin],
        cookie_policy: NamedDependency[CookiePolicy],
    ) -> Response[WebAuthnOptions]:
        started = await start_passkey_login.execute(client_info(request))
        response = Response(started.options)
        cookie_policy.set_passkey_challenge(response, started.cookie_token, started.expires_at)
        return response

    @post("/login", status_code=200, summary="Sign in with a passkey",
          description="The answer to this browser's login options (its `passkey_challenge` cookie; used up "
          "whatever the verdict: the cookie is left to expire). Answers exactly as a successful login, with no second step (a passkey "
          "is user-verified). Any refusal (an unknown credential, a bad signature, the wrong challenge, "
          "origin or RP id, no user verification, a signature counter that went backwards) is 401 "
          f"`invalid_passkey`, which says no more. Event `signed_in` with method `passkey`. {_PER_ADDRESS}",
          responses={
              **failures("invalid_request", "rate_limited", "not_ready"),
              401: Failures(data_container=None, generate_examples=False, codes=("invalid_passkey",)),
          },
          response_headers=[sets_cookies(SIGN_IN_COOKIES)])
    async def login(
        self, request: Request, data: JSONBody[PasskeyLoginBody],
        login_with_passkey: NamedDependency[LoginWithPasskey], cookie_policy: NamedDependency[CookiePolicy],
        passkey_challenge: PasskeyChallengeCookie, device: DeviceCookie,
    ) -> Response[LoginOut]:
        try:
            signed_in = await login_with_passkey.execute(
                passkey_challenge, data.credential, client_info(request), device_cookie=device
            )
        except InvalidPasskey:  # a sign-in refused is 401 (a registration's is 400)
            _, code, message = DOMAIN_ERRORS[InvalidPasskey]
            return error_response(401, code, message)  # type: ignore[return-value]
        user = signed_in.user
        response = Response(LoginOut(user=UserOut.of(user), profile_complete=user.profile.is_complete))
        cookie_policy.set_session(response, signed_in.tokens)
        cookie_policy.set_device(response, signed_in.device_cookie)
        return response
