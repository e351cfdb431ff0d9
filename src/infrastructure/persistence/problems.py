"""One line for the operator when the database cannot be used at all: no such database, a
refused role or password, a server out of reach. A traceback (or an exception group of a
hundred lines) would bury the one thing to fix; a bug keeps its traceback."""

import asyncpg

# The server answers, but refuses this connection: 3D000, 28000, 28P01.
REFUSED = (
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidPasswordError,
)


class DatabaseProblem(RuntimeError):
    """A database problem already told in one line (by a child process, say)."""


def database_problem(error: BaseException | None) -> str | None:
    """The one line for `error`, or None when it is not a database problem.

    Rules, on `error` and everything it wraps (SQLAlchemy's `orig`, causes, exception groups):
    - a DatabaseProblem: its own line;
    - a refused connection: PostgreSQL's words ('database "x" does not exist');
    - a timeout: that the server did not answer in time;
    - a socket error (refused, unknown host): that the server cannot be reached, and why.
    """
    for cause in _causes(error):
        if isinstance(cause, DatabaseProblem):
            return str(cause)
        if isinstance(cause, REFUSED):
            return f"PostgreSQL refused the connection: {cause}"
        if isinstance(cause, TimeoutError):  # before OSError: it is one
            return "PostgreSQL did not answer in time"
        if isinstance(cause, OSError):
            return f"PostgreSQL cannot be reached: {cause.strerror or cause}"
    return None


def _causes(error: BaseException | None):
    stack, seen = [error], set()
    while stack:
        cause = stack.pop()
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        if isinstance(cause, BaseExceptionGroup):
            stack.extend(cause.exceptions)
        stack.extend([getattr(cause, "orig", None), cause.__cause__, cause.__context__])
