"""The login from a plain HTML form (the original Express route): the same POST /auth/login,
sent as application/x-www-form-urlencoded from an allowed Origin, answered by 303 redirects
to the frontend's pages instead of JSON.

A route opts in with `opt={FORM_LOGIN: True}`; the request guard then lets form bodies
through to it (only with an allowed Origin), ApiRequest hands them to the route's body type
like JSON, and every failure, whichever exception handler writes it, becomes a redirect.
"""

from collections.abc import Callable

import msgspec
from litestar import Request, Response
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from web.frontend import Frontend

FORM = "application/x-www-form-urlencoded"
FORM_LOGIN = "form_login"  # the opt key of the route that accepts it


def accepts_form(request: Request) -> bool:
    route_handler = request.scope.get("route_handler")
    return bool(route_handler and route_handler.opt.get(FORM_LOGIN))


def is_form_post(request: Request) -> bool:
    return request.content_type[0] == FORM and accepts_form(request)


def see_other(url: str, headers: dict[str, str] | None = None) -> Redirect:
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, headers=headers)


def redirect_form_failures(handlers: dict, frontend: Frontend) -> dict:
    """Wrap each exception handler: for a form post, its error answer becomes a 303 to the
    login page with `?error=<code>` (a social-only account goes to the finish page, a right
    password for an account with a second factor to the second-step page, with its challenge)."""

    def wrap(handler: Callable[[Request, Exception], Response]) -> Callable:
        def handle(request: Request, exc: Exception) -> Response:
            response = handler(request, exc)
            if not is_form_post(request):
                return response
            error = msgspec.to_builtins(response.content)
            headers = dict(response.headers)  # no-store, nosniff, Retry-After: as for JSON
            if error.get("error") == "social_only":
                return see_other(frontend.social_only_url(error["providers"]), headers)
            if error.get("error") == "mfa_required":  # the challenge's cookie goes along
                redirect = see_other(frontend.second_step_url(error["methods"]), headers)
                redirect.cookies = list(response.cookies)
                return redirect
            return see_other(frontend.login_failure_url({"error": error.get("error", "server")}), headers)

        return handle

    return {kind: wrap(handler) for kind, handler in handlers.items()}
