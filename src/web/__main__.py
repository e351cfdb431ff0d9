"""`python -m web` (make dev): serve on HOST:PORT. `python -m web migrate` (make migrate):
upgrade the database schema to this version's head. `python -m web purge`: delete expired
rows now. `python -m web rotate-keys`: re-encrypt under SECRET_KEY everything stored
encrypted under a SECRET_KEY_FALLBACKS key (docs/operations.md). Installed as `sesame` in
the venv too."""

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

from infrastructure.settings import STARTUP_FAILURE_EXIT, Settings, load_settings_or_exit
from web.observability.log_setup import configure_logging, logging_config
from web.serving.listeners import describe, listening_sockets
from web.serving.server import PROTOCOL_OPTIONS, DrainingMultiprocess

if TYPE_CHECKING:
    from infrastructure.observability.exporter import MetricsExporter

# The app and the database are imported when used: a bad setting is told at once.

log = logging.getLogger("uvicorn.error")  # the start-up lines go where uvicorn's go


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["serve", "migrate", "purge", "rotate-keys"], default="serve",
                        help="rotate-keys re-encrypts under SECRET_KEY what a fallback key encrypted, table by "
                             "table; digests cannot be re-made (tokens are not stored), so keep "
                             "SECRET_KEY_FALLBACKS for REFRESH_TTL after changing SECRET_KEY if "
                             "sessions must survive (docs/operations.md \"Rotate the secret key\")")
    parser.add_argument(
        "--production", action="store_true",
        help="make serve: APP_ENV=production whatever the environment or .env say, and "
        "WORKERS=one per core unless set",
    )
    args = parser.parse_args(argv)
    if args.production:
        settings = production_settings()
    else:
        settings = load_settings_or_exit()
    if args.command != "serve":  # serving: uvicorn applies it, in every process it starts
        configure_logging(settings.log_style)
    if args.command == "migrate":
        migrate(settings)
    elif args.command == "purge":
        purge(settings)
    elif args.command == "rotate-keys":
        rotate_keys(settings)
    else:
        serve(settings)


def production_defaults() -> dict[str, str]:
    """One worker per core this process may run on (taskset and cpusets count)."""
    return {"WORKERS": str(len(os.sched_getaffinity(0)))}


def production_settings() -> Settings:
    """--production, for this process and every worker it starts:
    - APP_ENV=production, over whatever the environment or .env say (a flag that a stray
      APP_ENV=development could undo would not mean production);
    - WORKERS one per core unless the environment or .env set it.
    Workers read their settings again (uvicorn imports the app by name), from the environment
    they inherit: so both are written there, WORKERS as resolved here (each worker's pool is
    its share of DATABASE_MAX_CONNECTIONS, and must be computed with the same count)."""
    os.environ["APP_ENV"] = "production"
    settings = load_settings_or_exit(production_defaults())
    os.environ["WORKERS"] = str(settings.serving.workers)
    return settings


def serve(settings: Settings) -> None:
    try:
        serving, metrics_port = settings.serving, settings.observability.metrics_port
        sockets = listening_sockets(serving.host, serving.port)
        metrics_sockets = listening_sockets(serving.host, metrics_port) if metrics_port is not None else []
    except OSError as exc:
        print(f"Cannot start: {exc.strerror}", file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE_EXIT) from None
    try:
        exporter = metrics_exporter(settings, metrics_sockets) if metrics_sockets else None
    except OSError as exc:  # a read-only /tmp (a container's read-only root filesystem)
        print(f"Cannot start: METRICS_PORT needs a private directory for the workers' metrics: "
              f"{exc.strerror} in {tempfile.gettempdir()}; set TMPDIR to a writable directory",
              file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE_EXIT) from None
    try:
        run_server(settings, sockets, exporter)
    finally:
        if exporter is not None:
            exporter.close()


def run_server(settings: Settings, sockets: list, exporter: "MetricsExporter | None") -> None:
    config = uvicorn.Config("web.app:create_app", **server_options(settings))
    check_connection_budget(settings)  # once uvicorn's logging is set up: its lines go there too
    url = http_url(settings.serving.host, sockets[0].getsockname()[1])
    if exporter is not None:
        exporter.start()
        log.info("Sésame metrics on %s/metrics", http_url(settings.serving.host, settings.observability.metrics_port))
    if config.workers > 1:  # as uvicorn.run does: a supervisor starts the workers on our sockets
        log.info("Sésame starting %d workers on %s (%s)", config.workers, url, describe(sockets))
        gone = exporter.worker_gone if exporter is not None else None
        DrainingMultiprocess(config, sockets=sockets, on_worker_gone=gone).run()  # closes our sockets on SIGTERM
        return
    server = _Server(config, url=url, addresses=describe(sockets))
    server.run(sockets=sockets)
    if not server.started:  # the application's start-up failed (as uvicorn.run exits)
        raise SystemExit(STARTUP_FAILURE_EXIT)


def http_url(host: str, port: int | None) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def metrics_exporter(settings: Settings, sockets: list) -> "MetricsExporter":
    """METRICS_PORT's endpoint, over a fresh PROMETHEUS_MULTIPROC_DIR made before any worker
    (or this process's app) loads prometheus_client; the outbox gauges need DATABASE_URL (the
    embedded database of development is each worker's own to start)."""
    from infrastructure.observability.multiprocess import fresh_directory

    directory = fresh_directory()
    from infrastructure.observability.exporter import MetricsExporter, outbox_gauges

    database = settings.database
    url = database.direct_url or database.url
    pooled = database.pgbouncer and database.direct_url is None
    outbox = outbox_gauges(url, pooled) if url is not None else None
    return MetricsExporter(directory, sockets, outbox)


def check_connection_budget(settings: Settings) -> None:
    """Says at start what the workers will hold, and warns when PostgreSQL cannot give it:
    past max_connections, requests fail with "too many clients" under load, not at start."""
    if settings.database.url is None:  # the embedded server is sized for development
        return
    from infrastructure.persistence.engine import connection_limit

    needed, listener = settings.connections_needed, settings.listener_connections
    if settings.database.pgbouncer:  # the pools are PgBouncer's clients: its pool sizes PostgreSQL's share
        pooled = max(1, settings.serving.workers) * settings.pool_size
        listening = (f", and {needed - pooled} outbox listener(s) on DATABASE_DIRECT_URL" if listener
                     else "; the outbox is polled each second (no DATABASE_DIRECT_URL to LISTEN on)")
        log.info("Sésame will hold up to %d connections to PgBouncer (see its max_client_conn)%s",
                 pooled, listening)
        return
    shape = (f"{settings.serving.workers} worker(s) x ({settings.pool_size} pooled"
             f"{' + 1 outbox listener' if listener else ''}) = {needed} PostgreSQL connections")
    limit = asyncio.run(connection_limit(settings.database.url))
    if limit is None:
        log.info("Sésame will hold up to %s (the server's max_connections was not read)", shape)
    elif needed > limit:
        log.warning(
            "Sésame will hold up to %s, but PostgreSQL allows %d (max_connections less the superuser "
            "reserve), shared with every other client: lower DATABASE_MAX_CONNECTIONS (or "
            "DATABASE_POOL_SIZE or WORKERS), raise max_connections, or put PgBouncer in front "
            "(docs/scaling.md).", shape, limit,
        )
    else:
        log.info("Sésame will hold up to %s, of the %d PostgreSQL allows", shape, limit)


def server_options(settings: Settings) -> dict:
    """What uvicorn is told, beyond the sockets we bound."""
    serving = settings.serving
    return dict(
        factory=True, host=serving.host, port=serving.port, workers=serving.workers,
        forwarded_allow_ips=serving.forwarded_allow_ips,  # read from .env too, unlike uvicorn
        access_log=False,  # the app writes its own (ACCESS_LOG: web.observability.access)
        timeout_graceful_shutdown=serving.shutdown_grace,  # then the requests still running are cut
        log_config=logging_config(settings.log_style),  # one setup for every logger, in every process
        **PROTOCOL_OPTIONS,  # headers capped, slow clients cut off (web/serving/server.py)
    )


class _Server(uvicorn.Server):
    """uvicorn prints no URL when given sockets; this prints it once the app has started.
    And a shutdown asked for by SIGTERM or Ctrl+C, once done, is exit 0: uvicorn raises the
    signal again after it, which kills the process with it (status 143, or a
    KeyboardInterrupt traceback)."""

    def __init__(self, config: uvicorn.Config, url: str, addresses: str) -> None:
        super().__init__(config)
        self._url = url
        self._addresses = addresses

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            log.info("Sésame running on %s (%s; Press CTRL+C to quit)", self._url, self._addresses)

    async def _serve(self, sockets=None) -> None:
        await super()._serve(sockets)
        self._captured_signals.clear()  # handled: not raised again once the handlers are restored


def migrate(settings: Settings) -> None:
    """Non-interactive: what a deployment runs before starting the new version."""
    from infrastructure.persistence.migrate import migrate_url
    from web.composition.adapters import migration_target, open_database

    url, embedded = open_database(settings)
    try:
        with one_line_database_problems("Cannot migrate"):
            revision = asyncio.run(migrate_url(*migration_target(settings, url)))
    finally:
        if embedded is not None:
            embedded.stop()
    print(f"Database schema migrated: at revision {revision} (head).", flush=True)


@contextmanager
def one_line_database_problems(what: str) -> Iterator[None]:
    """A database that cannot be used (no such database, refused, out of reach): one line
    and exit 1, not a traceback. Anything else is a bug and keeps its traceback."""
    from infrastructure.persistence.problems import database_problem

    try:
        yield
    except Exception as error:
        problem = database_problem(error)
        if problem is None:
            raise
        print(f"{what}: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None


def purge(settings: Settings) -> None:
    """Delete expired rows now, in batches (every process also does it hourly): for a cron
    job on instances started with the periodic purge off, or after a long outage."""
    from datetime import UTC, datetime

    from infrastructure.persistence.engine import tool_engine
    from infrastructure.persistence.housekeeping import purge_expired
    from web.composition.adapters import open_database, retention

    url, embedded = open_database(settings)

    async def run() -> dict[str, int]:
        engine = tool_engine(url, settings.database.pgbouncer)
        try:
            return await purge_expired(engine, datetime.now(UTC), retention=retention(settings))
        finally:
            await engine.dispose()

    try:
        with one_line_database_problems("Cannot purge"):
            deleted = asyncio.run(run())
    finally:
        if embedded is not None:
            embedded.stop()
    print("Purged: " + ", ".join(f"{count} {table}" for table, count in deleted.items()), flush=True)


def rotate_keys(settings: Settings) -> None:
    """Re-encrypt under SECRET_KEY, in batches, what a fallback sealed (provider tokens,
    waiting messages' secrets, sign-in flows, pending links); idempotent. Afterwards no
    ciphertext needs a fallback, but digests do (sids, refresh tokens, links, codes are
    one-way: they cannot be re-made): a fallback dropped now ends the sessions and voids
    the links made under it. docs/operations.md says how long to keep it."""
    from infrastructure.persistence.engine import tool_engine
    from infrastructure.persistence.key_rotation import reseal_all
    from infrastructure.security.cipher import TokenCipher
    from web.composition.adapters import open_database

    url, embedded = open_database(settings)
    cipher = TokenCipher(settings.keys.secret_key, settings.keys.fallbacks)

    async def run():
        engine = tool_engine(url, settings.database.pgbouncer)
        try:
            return await reseal_all(engine, cipher)
        finally:
            await engine.dispose()

    try:
        counts = asyncio.run(run())
    finally:
        if embedded is not None:
            embedded.stop()
    for table, resealed in counts.items():
        print(f"{table}: {resealed}", flush=True)


if __name__ == "__main__":
    main()
