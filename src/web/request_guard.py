"""Cheap CSRF defences for a cookie-authenticated JSON API.

SameSite=Lax already keeps our cookies off cross-site POSTs; on top of that, a browser
request from a foreign Origin never reaches a state-changing handler, and bodies must be
JSON (an HTML form cannot send application/json without a CORS preflight).
"""

from litestar import Request, Response

from web.dto import FieldError
from web.errors import error_response, invalid_request

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def make_request_guard(trusted_origins: list[str]):
    trusted = frozenset(o.rstrip("/") for o in trusted_origins)

    async def guard(request: Request) -> Response | None:
        if request.method not in _UNSAFE:
            return None
        origin = request.headers.get("origin")
        # "null" (a sandboxed frame, a file: page, some redirects) is no origin we trust.
        if origin and origin.rstrip("/") not in trusted and not _same_origin(request, origin):
            return error_response(403, "forbidden_origin", "This origin may not call the API.")
        if _has_body(request) and request.content_type[0] != "application/json":
            return invalid_request(
                [FieldError("body", "must be sent as application/json")],
                "The body must be JSON.",
            )
        return None

    return guard


def _same_origin(request: Request, origin: str) -> bool:
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return bool(length and length != "0") or "transfer-encoding" in request.headers
