"""`python -m web` (make dev): serve on HOST:PORT. `python -m web migrate` (make migrate):
upgrade the database schema to this version's head. Installed as `sesame` in the venv too."""

import argparse
import asyncio
import logging
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from infrastructure.settings import STARTUP_FAILURE_EXIT, Settings, load_settings_or_exit
from web.listeners import describe, listening_sockets
from web.server import PROTOCOL_OPTIONS

# The app and the database are imported when used: a bad setting is told at once.

log = logging.getLogger("uvicorn.error")  # the start-up lines go where uvicorn's go


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    command = parser.parse_args(argv).command
    settings = load_settings_or_exit()
    if command == "migrate":
        migrate(settings)
    else:
        serve(settings)


def serve(settings: Settings) -> None:
    try:
        sockets = listening_sockets(settings.host, settings.port)
    except OSError as exc:
        print(f"Cannot start: {exc.strerror}", file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE_EXIT) from None
    config = uvicorn.Config("web.app:create_app", **server_options(settings))
    host, port = settings.host, sockets[0].getsockname()[1]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    if config.workers > 1:  # as uvicorn.run does: a supervisor starts the workers on our sockets
        log.info("Sésame starting %d workers on %s (%s)", config.workers, url, describe(sockets))
        Multiprocess(config, sockets=sockets).run()
        return
    server = _Server(config, url=url, addresses=describe(sockets))
    server.run(sockets=sockets)
    if not server.started:  # the application's start-up failed (as uvicorn.run exits)
        raise SystemExit(STARTUP_FAILURE_EXIT)


def server_options(settings: Settings) -> dict:
    """What uvicorn is told, beyond the sockets we bound."""
    return dict(
        factory=True, host=settings.host, port=settings.port, workers=settings.workers,
        forwarded_allow_ips=settings.forwarded_allow_ips,  # read from .env too, unlike uvicorn
        access_log=settings.access_log,
        **PROTOCOL_OPTIONS,  # headers capped, slow clients cut off (web/server.py)
    )


class _Server(uvicorn.Server):
    """uvicorn prints no URL when given sockets; this prints it once the app has started."""

    def __init__(self, config: uvicorn.Config, url: str, addresses: str) -> None:
        super().__init__(config)
        self._url = url
        self._addresses = addresses

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            log.info("Sésame running on %s (%s; Press CTRL+C to quit)", self._url, self._addresses)


def migrate(settings: Settings) -> None:
    """Non-interactive: what a deployment runs before starting the new version."""
    from infrastructure.persistence.database import migrate_url
    from web.adapters import open_database

    url, embedded = open_database(settings)
    try:
        revision = asyncio.run(migrate_url(url))
    finally:
        if embedded is not None:
            embedded.stop()
    print(f"Database schema migrated: at revision {revision} (head).", flush=True)


if __name__ == "__main__":
    main()
