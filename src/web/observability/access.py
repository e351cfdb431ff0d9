"""The outermost layer of the app: each request's id, its access line, its measures.

- The request id (request_ids.request_id) is set for the request's task, so every line
  written while serving it carries it, and sent back in `X-Request-ID` on every answer the
  app gives (errors, 404s and refused preflights included).
- The access line (ACCESS_LOG, logger `sesame.access`), written by us rather than uvicorn:
  `method`, `route` (the route's template, `/auth/sessions/{id}`: what the request was,
  whatever its values), `path` without its query string (a provider callback's `code` and
  `state` never reach a log), `status`, `duration_ms`, `client` (the address the limits
  count, X-Forwarded-For from a trusted proxy included).
- The measures (`observe`, given by the composition root when metrics are on): route,
  method, status and seconds, for the request counters and the duration histogram.

A request no route matched has the route UNMATCHED: labels stay few whatever clients send.
"""

import logging
import time
from collections.abc import Callable

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from web.edge.client import client_address
from web.observability.request_ids import HEADER, REQUEST_ID, request_id

UNMATCHED = "unmatched"
ROUTE = "path_template"  # where Litestar's router writes the matched route's template

# (route, method, status, seconds): one finished request.
Observe = Callable[[str, str, int, float], None]

log = logging.getLogger("sesame.access")


class ObservedRequests:
    def __init__(self, app: ASGIApp, *, access_log: bool, observe: Observe | None = None) -> None:
        self.app = app
        self.access_log = access_log
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(_header(scope, HEADER))
        token = REQUEST_ID.set(rid)
        answered = [500]  # what uvicorn answers for an app that fails before answering
        started = time.perf_counter()
        try:
            await self.app(scope, receive, _with_request_id(send, rid.encode(), answered))
        finally:
            seconds = time.perf_counter() - started
            route = scope.get(ROUTE) or UNMATCHED
            if self.observe is not None:
                self.observe(route, scope["method"], answered[0], seconds)
            if self.access_log:
                _access_line(scope, route, answered[0], seconds)
            REQUEST_ID.reset(token)


def _with_request_id(send: Send, rid: bytes, answered: list[int]) -> Send:
    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            answered[0] = message["status"]
            message = {**message, "headers": [*message.get("headers", ()), (HEADER, rid)]}
        await send(message)

    return send_with_id


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _access_line(scope: Scope, route: str, status: int, seconds: float) -> None:
    client = client_address(scope["client"][0] if scope.get("client") else None)
    path, method = scope["path"], scope["method"]
    milliseconds = round(seconds * 1000, 2)
    # uvicorn's own words, which people and their tools know; the path as printable text (a
    # decoded %0A must not start a forged line of the text format).
    log.info('%s - "%s %s HTTP/%s" %d %.1f ms', client or "-", method, _printable(path),
             scope.get("http_version", "1.1"), status, milliseconds, extra={
                 "method": method, "route": route, "path": path, "status": status,
                 "duration_ms": milliseconds, "client": client,
             })


def _printable(text: str) -> str:
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
