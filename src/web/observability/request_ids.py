"""Request ids: one per request, set by the edge, carried by every log line written while
serving it, and sent back in `X-Request-ID`.

A client's (or its proxy's) `X-Request-ID` is kept when it is 1 to 128 characters of
`A-Za-z0-9._-`: what correlates the proxy's log, the frontend's and ours. Anything else (empty,
too long, spaces, quotes, control characters: what could forge or break a log line) is
replaced by a new UUID."""

import re
import uuid
from contextvars import ContextVar

HEADER = b"x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,128}")

# Set by the edge for the request's task (and what it starts); None outside any request.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id(sent: str | None) -> str:
    """The request's id: the one sent, when sane, else a new UUID."""
    if sent is not None and _SANE.fullmatch(sent):
        return sent
    return str(uuid.uuid4())
