"""The start-up's failures as uvicorn prints them: Litestar sends the whole traceback (for
a database that does not exist, an exception group of a hundred lines); a database
problem is sent as its one line instead. A bug keeps its traceback."""

import sys

from litestar import Litestar
from litestar.types import Receive, Scope, Send

from infrastructure.persistence.problems import database_problem


class SesameApp(Litestar):
    """Litestar, whose failed start says a database problem in one line."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "lifespan":
            send = _one_line_start_failure(send)
        await super().__call__(scope, receive, send)


def _one_line_start_failure(send: Send) -> Send:
    async def send_message(message) -> None:
        if message["type"] == "lifespan.startup.failed":
            # Litestar sends it from inside its `except`: the failure is the current exception.
            problem = database_problem(sys.exception())
            if problem is not None:
                message = {**message, "message": f"Cannot start: {problem}"}
        await send(message)

    return send_message
