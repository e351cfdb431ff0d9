"""The HTTP edge: Litestar controllers, msgspec DTOs, cookies, errors, composition root."""

import sys

# httpx imports its command-line tool (`httpx._main`: click, rich, pygments' lexer table; ~5 MiB
# per worker) whenever those are installed, and Litestar's CLI installs them. The server never
# runs it: a None entry makes that import fail, and httpx then defines a stub `main` instead,
# as it does when they are missing. Done here, before any module of the app imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
