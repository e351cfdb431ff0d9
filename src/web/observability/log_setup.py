"""The process's one logging setup, for every logger in it: the app's, uvicorn's (its error
logger; its access logger stays off, the edge writes the access line), SQLAlchemy's, the
outbox dispatcher's and the purge's, the libraries'. All propagate to the root logger, whose
one handler (log_format.log_handler) adds the request id, redacts, and formats.

`python -m web` gives it to uvicorn (`log_config`), which applies it in the supervisor and
again in every worker (a worker is a new process: the dictionary names what to build, by
import path); the commands (migrate, purge, rotate-keys) apply it themselves."""

import logging.config
from typing import Any

QUIET = "WARNING"  # libraries that say too much at INFO: each request to a provider, each pool event


def logging_config(style: str) -> dict[str, Any]:
    """`style`: json or text (Settings.log_style)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"main": {"()": "web.observability.log_format.log_handler", "style": style}},
        "root": {"level": "INFO", "handlers": ["main"]},
        "loggers": {
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": QUIET, "handlers": [], "propagate": False},
            **{name: {"level": QUIET} for name in (
                "sqlalchemy", "httpx", "httpcore", "asyncio", "alembic.runtime.plugins",
            )},
        },
    }


def configure_logging(style: str) -> None:
    logging.config.dictConfig(logging_config(style))
