"""Local accounts and the session cookies: register, login, me, refresh, logout."""

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from application.use_cases.current_user import GetCurrentUser
from application.use_cases.login import LoginWithPassword
from application.use_cases.logout import Logout
from application.use_cases.refresh import RefreshSession
from application.use_cases.register import RegisterLocalUser, Registration
from domain.errors import InvalidInput
from web.client import client_info
from web.cookies import REFRESH, SID, CookiePolicy
from web.dto import ERROR, LoginBody, LoginOut, MeOut, OkOut, RegisterBody, RegisterOut, UserOut

SidCookie = Annotated[str | None, Parameter(cookie=SID, required=False)]
RefreshCookie = Annotated[str | None, Parameter(cookie=REFRESH, required=False)]


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/register",
        status_code=201,
        summary="Create a local account and sign in (sets sid and refresh_token)",
        responses={400: ERROR, 409: ERROR},
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
        return response

    @post(
        "/login",
        status_code=200,
        summary="Sign in with email or username and password",
        responses={400: ERROR, 401: ERROR},
    )
    async def login(
        self,
        request: Request,
        data: JSONBody[LoginBody],
        login: NamedDependency[LoginWithPassword],
        cookie_policy: NamedDependency[CookiePolicy],
    ) -> Response[LoginOut]:
        identifier = data.email_or_username or data.email
        if not identifier:
            raise InvalidInput("emailOrUsername", "is required")
        signed_in = await login.execute(identifier, data.password, client_info(request))
        user = signed_in.user
        response = Response(LoginOut(user=UserOut.of(user), profile_complete=user.profile.is_complete))
        cookie_policy.set_session(response, signed_in.tokens)
        return response

    @get("/me", summary="The signed-in user, or null (never 401: the client then refreshes)")
    async def me(self, get_current_user: NamedDependency[GetCurrentUser], sid: SidCookie) -> MeOut:
        user = await get_current_user.execute(sid)
        return MeOut(UserOut.of(user) if user else None)

    @post(
        "/refresh",
        status_code=200,
        summary="Rotate the refresh token: new sid and refresh_token",
        responses={401: ERROR},
    )
    async def refresh(
        self,
        refresh_session: NamedDependency[RefreshSession],
        cookie_policy: NamedDependency[CookiePolicy],
        refresh_token: RefreshCookie,
    ) -> Response[OkOut]:
        tokens = await refresh_session.execute(refresh_token)
        response = Response(OkOut())
        cookie_policy.set_session(response, tokens)
        return response

    @post("/logout", status_code=200, summary="Revoke this session and clear both cookies")
    async def logout(
        self,
        logout: NamedDependency[Logout],
        cookie_policy: NamedDependency[CookiePolicy],
        sid: SidCookie,
        refresh_token: RefreshCookie,
    ) -> Response[OkOut]:
        await logout.execute(sid, refresh_token)
        response = Response(OkOut())
        cookie_policy.clear(response)
        return response
