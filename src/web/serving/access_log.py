"""What the access log may hold: uvicorn writes one line per request, with its path and query
string. A provider's callback arrives as /auth/{provider}/callback?code=...&state=...: the
code can be traded for the person's provider tokens, and the state opens the sign-in that
started it, so neither may reach a log (nor a log shipper, nor whoever reads it). The query
string of those paths is dropped from the line, before any handler formats it; every other
line is left as uvicorn writes it (the API's secrets travel in bodies and cookies, which
the access log never holds).

`python -m web` gives uvicorn `log_config()`: uvicorn's own logging, plus this filter on
its access logger, set up again in every worker."""

import logging
import re
from copy import deepcopy
from typing import Any

from uvicorn.config import LOGGING_CONFIG

ACCESS_LOGGER = "uvicorn.access"
_CALLBACK = re.compile(r".*/callback/?")  # /auth/{provider}/callback, whatever its prefix


class CallbackQueryFilter(logging.Filter):
    """uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path?query, version,
    status): the path of a callback loses its query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, has_query, _ = args[2].partition("?")
            if has_query and _CALLBACK.fullmatch(path):
                record.args = (*args[:2], path, *args[3:])
        return True  # a line is never dropped, only its secrets


def log_config() -> dict[str, Any]:
    config = deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["callback_query"] = {"()": f"{__name__}.CallbackQueryFilter"}
    config["loggers"][ACCESS_LOGGER]["filters"] = ["callback_query"]
    return config
