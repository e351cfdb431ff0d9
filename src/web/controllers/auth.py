"""Local accounts and the session cookies: register, login, me, refresh, logout."""

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import UNSET

from application.use_cases.get_current_user import GetCurrentUser
from application.use_cases.login_with_password import LoginWithPassword
from application.use_cases.logout import Logout
from application.use_cases.refresh_session import RefreshSession
from application.use_cases.register_local_user import RegisterLocalUser, Registration
from domain.credentials import visible_text
from domain.errors import InvalidInput
from web.edge.client import client_info
from web.edge.cookies import PENDING_LINK, CookiePolicy, DeviceCookie, PendingLinkCookie, RefreshCookie, SidCookie
from web.edge.form_login import FORM_LOGIN, is_form_post, see_other
from web.frontend import Frontend
from web.dto import LoginBody, LoginOut, MeOut, OkOut, RegisterBody, RegisterOut, UserOut
from web.openapi import SESSION_COOKIES, SIGN_IN_COOKIES, failures, sets_cookies


def login_identifier(data: LoginBody) -> str:
    """emailOrUsername, else email; a field that is sent is checked even when the other wins."""
    if data.email_or_username and data.email:
        visible_text("email", data.email)
    identifier = data.email_or_username or data.email
    if not identifier:
        raise InvalidInput("emailOrUsername", "is required")
    return identifier


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/register",
        status_code=201,
        summary="Create a local account and sign in (sets sid, refresh_token and device)",
        responses=failures("invalid_request", "weak_password", "breached_password", "email_taken",
                           "username_taken", "rate_limited", "busy", "not_ready"),
        response_headers=[sets_cookies(SIGN_IN_COOKIES)],
    )
    async def register(
        self,
        request: Request,
        data: JSONBody[RegisterBody],
        register_user: NamedDependency[RegisterLocalUser],
        cookie_policy: NamedDependency[CookiePolicy],
    ) -> Response[RegisterOut]:
        registration = Registration(
            data.email, data.password, data.firstname, data.lastname, data.username
        )
        signed_in = await register_user.execute(registration, client_info(request))
        response = Response(RegisterOut(user=UserOut.of(signed_in.user)), status_code=201)
        cookie_policy.set_session(response, signed_in.tokens)
        cookie_policy.set_device(response, signed_in.device_cookie)
        return response

    @post(
        "/login",
        status_code=200,
        summary="Sign in with email or username and password",
        description="The body names the account by `emailOrUsername`, or by `email` (older clients): "
        "at least one of them. Too many attempts from one address answer 429; too many failures "
        "for one account lock it (423) for a while, for every browser without a valid `device` "
        "cookie for it; a browser with one is counted and locked on its own, and still signs in "
        "during the account's lock. A `pending_link` cookie (see the provider "
        "callbacks) is used up by a successful login: `linkedProvider` says what it linked.\n\n"
        "The same fields may come from a plain HTML form (`application/x-www-form-urlencoded`), "
        "only with an allowed `Origin` (else 403 `forbidden_origin`); the answer is then a 303: "
        "signed in to `/dashboard` (or `/auth/finish?from=local&complete=false`), a social-only "
        "account to `/auth/finish?from=social&providers=...`, any failure to "
        "`/auth/login?error=<code>`, all on the frontend.\n\n"
        "An account with two-step verification on is not signed in by its password alone: a right "
        "password answers 401 `mfa_required` with the `methods` that may answer and an `mfa_challenge` "
        "cookie (HttpOnly, Path=/auth, Max-Age=300, single use) instead of the session cookies; "
        "`POST /auth/mfa/verify` completes the sign-in (and the pending link, if any). A form post "
        "goes to `/auth/mfa?methods=totp,recovery_code` on the frontend, with that cookie.",
        responses=failures("invalid_request", "invalid_credentials", "social_only", "mfa_required", "account_locked",
                           "rate_limited", "busy", "not_ready"),
        response_headers=[sets_cookies(SIGN_IN_COOKIES)],
        opt={FORM_LOGIN: True},
    )
    async def login(
        self,
        request: Request,
        data: JSONBody[LoginBody],
        login: NamedDependency[LoginWithPassword],
        cookie_policy: NamedDependency[CookiePolicy],
        frontend: NamedDependency[Frontend],
        pending_link: PendingLinkCookie,
        device: DeviceCookie,
    ) -> Response[LoginOut]:
        signed_in = await login.execute(
            login_identifier(data), data.password, client_info(request), pending_link, device
        )
        user = signed_in.user
        complete = user.profile.is_complete
        if is_form_post(request):
            response = see_other(frontend.signed_in_url(complete))
        else:
            linked = signed_in.linked_provider or UNSET
            response = Response(LoginOut(user=UserOut.of(user), profile_complete=complete, linked_provider=linked))
        cookie_policy.set_session(response, signed_in.tokens)
        cookie_policy.set_device(response, signed_in.device_cookie)
        if pending_link:  # used up by this login, linked or not
            cookie_policy.clear(response, PENDING_LINK)
        return response

    @get("/me", summary="The signed-in user, or null (never 401: the client then refreshes)",
         responses=failures("not_ready"))
    async def me(self, get_current_user: NamedDependency[GetCurrentUser], sid: SidCookie) -> MeOut:
        user = await get_current_user.execute(sid)
        return MeOut(UserOut.of(user) if user else None)

    @post(
        "/refresh",
        status_code=200,
        summary="Rotate the refresh token: new sid and refresh_token",
        responses=failures("no_refresh_token", "invalid_refresh", "not_ready"),
        response_headers=[sets_cookies(SESSION_COOKIES)],
    )
    async def refresh(
        self,
        request: Request,
        refresh_session: NamedDependency[RefreshSession],
        cookie_policy: NamedDependency[CookiePolicy],
        refresh_token: RefreshCookie,
    ) -> Response[OkOut]:
        tokens = await refresh_session.execute(refresh_token, client_info(request))
        response = Response(OkOut())
        cookie_policy.set_session(response, tokens)
        return response

    @post("/logout", status_code=200, summary="Revoke this session and clear both cookies (also without cookies)",
          responses=failures("not_ready"),
          response_headers=[sets_cookies("Clears `sid` (Path=/) and `refresh_token` (Path=/auth): empty, Max-Age=0.")])
    async def logout(
        self,
        request: Request,
        logout: NamedDependency[Logout],
        cookie_policy: NamedDependency[CookiePolicy],
        sid: SidCookie,
        refresh_token: RefreshCookie,
    ) -> Response[OkOut]:
        await logout.execute(sid, refresh_token, client_info(request))
        response = Response(OkOut())
        cookie_policy.clear(response)
        return response
