"""Cheap CSRF defences for a cookie-authenticated JSON API.

SameSite=Lax already keeps our cookies off cross-site POSTs; on top of that, a browser
request from a foreign Origin never reaches a state-changing handler, and bodies must be
JSON (an HTML form cannot send application/json without a CORS preflight). The one
exception, the HTML-form login (web.edge.form_login), must carry an allowed Origin; without any
Origin it is no browser's form, and is refused as any other body that is not JSON.
"""

from litestar import Request, Response

from web.dto import FieldError
from web.errors import error_response, invalid_request
from web.edge.form_login import FORM, accepts_form

# The methods that change state: the guard stands before each (and the schema says so).
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def make_request_guard(trusted_origins: list[str]):
    trusted = frozenset(o.rstrip("/") for o in trusted_origins)

    async def guard(request: Request) -> Response | None:
        if request.method not in UNSAFE_METHODS:
            return None
        origin = request.headers.get("origin")
        form = request.content_type[0] == FORM and accepts_form(request)  # with a body or not
        # "null" (a sandboxed frame, a file: page, some redirects) is no origin we trust.
        if origin and origin.rstrip("/") not in trusted and not _same_origin(request, origin):
            return _forbidden_origin()
        if form and not origin:
            # Browsers send Origin with every form post: this is a client (curl -d) that
            # sent JSON under its default form type. It gets the answer any route gives.
            return _not_json()
        if form:  # a form may come from any site: only the frontend's own pages may post it
            return None if origin.rstrip("/") in trusted else _forbidden_origin()
        if _has_body(request) and request.content_type[0] != "application/json":
            return _not_json()
        return None

    return guard


def _not_json() -> Response:
    return invalid_request([FieldError("body", "must be sent as application/json")], "The body must be JSON.")


def _forbidden_origin() -> Response:
    return error_response(403, "forbidden_origin", "This origin may not call the API.")


def _same_origin(request: Request, origin: str) -> bool:
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return bool(length and length != "0") or "transfer-encoding" in request.headers
