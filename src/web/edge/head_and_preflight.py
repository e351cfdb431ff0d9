"""Two answers that Litestar gives before any handler runs, given the contract's way.

- HEAD: Litestar answers 405 on a GET route. HEAD is served as the GET it mirrors, and the
  body is dropped (the headers, Content-Length included, stay those of the GET).
- A refused CORS preflight: Litestar answers 400 text/plain "Disallowed CORS Origin". A
  foreign origin gets 403 forbidden_origin, a refused method or header 400 invalid_request,
  both as JSON and without Access-Control-Allow-Origin. A granted one gets no-store and
  nosniff, like every other answer.

It wraps the app's whole ASGI handler (outside Litestar's CORS middleware, which answers
preflights itself); every other request costs one comparison.
"""

from collections.abc import Callable

import msgspec

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import ERROR_HEADERS
from web.dto import ErrorOut

_FOREIGN_ORIGIN = (403, ErrorOut("forbidden_origin", "This origin may not call the API."))
_REFUSED_PREFLIGHT = (400, ErrorOut("invalid_request", "This method or header is not allowed."))
_HEADERS = [(k.lower().encode(), v.encode()) for k, v in ERROR_HEADERS.items()]


class HeadAndPreflight:
    def __init__(self, app: ASGIApp, is_origin_allowed: Callable[[str], bool]) -> None:
        self.app = app
        self.is_origin_allowed = is_origin_allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if method == "HEAD":
            as_get = {**scope, "method": "GET"}
            try:
                await self.app(as_get, receive, _without_body(send))  # type: ignore[arg-type]
            finally:  # the route it matched, for the access line and the metrics
                if "path_template" in as_get:
                    scope["path_template"] = as_get["path_template"]  # type: ignore[typeddict-unknown-key]
        elif method == "OPTIONS" and (origin := _header(scope, b"origin")) is not None:
            if not self.is_origin_allowed(origin):
                await _send_error(send, *_FOREIGN_ORIGIN)
            else:
                await self.app(scope, receive, _preflight_answer(send))
        else:
            await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
        await send(message)

    return send_head


def _preflight_answer(send: Send) -> Send:
    """Litestar's CORS middleware answers a preflight itself: a refusal in text (answered in
    JSON instead), a grant without the app's headers (no-store and nosniff added)."""
    refused = False

    async def send_answer(message: Message) -> None:
        nonlocal refused
        if message["type"] == "http.response.start" and message["status"] == 400:
            refused = True
            await _send_error(send, *_REFUSED_PREFLIGHT)
        elif message["type"] == "http.response.start":
            await send({**message, "headers": [*message.get("headers", []), *_HEADERS]})
        elif not refused:
            await send(message)

    return send_answer


async def _send_error(send: Send, status: int, error: ErrorOut) -> None:
    body = msgspec.json.encode(error)
    headers = [*_HEADERS, (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
