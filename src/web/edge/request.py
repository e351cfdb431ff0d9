"""The request class of the app: Litestar's, with three answers made safe.

- A JSON body nested deeper than the decoder's recursion limit (about 1000 levels, 2 KB)
  raised RecursionError, a 500 with a traceback: it is now a malformed body (400).
- A client that disconnects mid-body made Litestar raise a 500 ("client disconnected
  prematurely"), logged with a traceback: it is now ClientDisconnected, logged in one line.
- A form body (see web.edge.form_login) on a route that accepts one is read as the object
  its fields make, so the route's body type checks it as it checks JSON.
- msgspec names only the first required field a body lacks: every missing one is named.
- Of two cookies with one name, Litestar kept the last. Browsers send the most specific
  first (RFC 6265 5.4: longer Path first), so a cookie planted for a parent domain by a
  sibling subdomain came after ours and won: the first occurrence now wins.
"""

from functools import lru_cache
from http.cookies import _unquote as unquote_cookie  # what Litestar uses, for the same values
from typing import Any
from urllib.parse import unquote

from litestar import Request
from litestar.exceptions import (
    ClientException, InternalServerException, SerializationException, ValidationException,
)
from litestar.types import Empty

from web.dto import Body
from web.edge.form_login import FORM, accepts_form

_LITESTAR_DISCONNECT = "client disconnected prematurely"  # litestar.connection.request.stream


class ClientDisconnected(ClientException):
    """The client went away before its body arrived: nobody is left to answer."""


class ApiRequest(Request):
    async def body(self) -> bytes:
        try:
            return await super().body()
        except InternalServerException as exc:
            if exc.detail == _LITESTAR_DISCONNECT:
                raise ClientDisconnected(_LITESTAR_DISCONNECT) from None
            raise

    async def json(self) -> Any:
        value = await self._decoded()
        body = _body_type(self)
        if body is not None and isinstance(value, dict) and (missing := body.missing(value)):
            raise ValidationException(extra=[  # the words msgspec uses for the first of them
                {"key": name, "message": f"Object missing required field `{name}`", "source": "body"}
                for name in missing
            ])
        return value

    async def _decoded(self) -> Any:
        if self.content_type[0] == FORM and accepts_form(self):
            return dict((await self.form()).items())
        try:
            return await super().json()
        except RecursionError:  # the decoder's depth limit: cheap, reached in C
            raise SerializationException("JSON nested too deeply") from None

    @property
    def cookies(self) -> dict[str, str]:
        if self._cookies is Empty:
            header = self.headers.get("cookie")
            self._cookies = self._connection_state.cookies = first_cookies(header) if header else {}
        return self._cookies


def _body_type(request: Request) -> type[Body] | None:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    annotation = data.annotation if data is not None else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, Body) else None


@lru_cache(1024)
def first_cookies(header: str) -> dict[str, str]:
    """Parse a Cookie header as Litestar does, except that the first of a name wins."""
    cookies: dict[str, str] = {}
    for pair in header.split(";"):
        name, has_value, value = pair.partition("=")
        if not has_value:  # Litestar keeps a bare value under the empty name
            name, value = "", name
        name, value = name.strip(), value.strip()
        if (name or value) and name not in cookies:
            cookies[name] = unquote(unquote_cookie(value))
    return cookies
