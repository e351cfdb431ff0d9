"""The start-up's failures as uvicorn prints them: Litestar sends the whole traceback (for
a database that does not exist, an exception group of a hundred lines); a known problem
(the composition root says which: a database problem) is sent as its one line instead. A
bug keeps its traceback."""

import sys
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.types import Receive, Scope, Send

# An exception raised at start, in one line for the operator; None: a bug (its traceback).
StartProblem = Callable[[BaseException | None], str | None]


class SesameApp(Litestar):
    """Litestar, whose failed start says a known problem in one line."""

    def __init__(self, *args: Any, start_problem: StartProblem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_problem = start_problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "lifespan":
            send = _one_line_start_failure(send, self._start_problem)
        await super().__call__(scope, receive, send)


def _one_line_start_failure(send: Send, start_problem: StartProblem) -> Send:
    async def send_message(message) -> None:
        if message["type"] == "lifespan.startup.failed":
            # Litestar sends it from inside its `except`: the failure is the current exception.
            problem = start_problem(sys.exception())
            if problem is not None:
                message = {**message, "message": f"Cannot start: {problem}"}
        await send(message)

    return send_message
