"""The metrics endpoint: `GET /metrics` on METRICS_PORT, never on the public port, served by
the process that supervises the workers (or, with one worker, by that worker's process), in
threads of its own.

One scrape sees every worker: it sums their files in PROMETHEUS_MULTIPROC_DIR (counters of a
worker that died included; its gauges dropped once the supervisor marks it dead). The outbox
gauges are measured at scrape time by one query (OutboxGauges), on a connection opened for it
and closed after: no table scan per request, and no connection held between scrapes.

Import this module only once multiprocess.fresh_directory() has set PROMETHEUS_MULTIPROC_DIR."""

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import asyncpg
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import MetricsHandler
from prometheus_client.registry import Collector

from infrastructure.observability.multiprocess import remove_directory
from infrastructure.persistence.engine import PGBOUNCER_DRIVER_OPTIONS, asyncpg_url

log = logging.getLogger("sesame.metrics")

PATH = "/metrics"
QUERY_TIMEOUT = 3  # seconds: a scrape waits this long at most for the outbox gauges
WARN_EVERY = 60  # seconds: a database away is told once a minute, not once a scrape
# pending and sending rows (sending: claimed, not yet finished), through ix_outbox_messages_due.
OUTBOX_QUERY = (
    "SELECT count(*), greatest(coalesce(extract(epoch FROM now() - min(created_at)), 0), 0)::float8"
    " FROM outbox_messages WHERE status IN ('pending', 'sending')"
)


class OutboxGauges(Collector):
    """sesame_outbox_pending and sesame_outbox_oldest_pending_seconds, measured when scraped.
    When the database does not answer they are missing from the scrape (what an alert on
    their absence sees), and one warning a minute says why."""

    def __init__(self, dsn: str, **connect_options: object) -> None:
        self._dsn = dsn
        self._options = connect_options
        self._last_warning = 0.0

    def describe(self) -> Iterable[Metric]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[Metric]:
        try:
            pending, oldest = asyncio.run(self._measure())
        except Exception as exc:  # away, refused, too slow: the rest of the scrape still goes
            if time.monotonic() - self._last_warning > WARN_EVERY:
                self._last_warning = time.monotonic()
                log.warning("outbox gauges not measured: the database does not answer (%s: %s)",
                            type(exc).__name__, exc)
            return
        yield GaugeMetricFamily("sesame_outbox_pending", "Messages waiting for delivery (pending or "
                                "being sent)", value=pending)
        yield GaugeMetricFamily("sesame_outbox_oldest_pending_seconds", "Age of the oldest message "
                                "waiting for delivery (0 when none waits)", value=oldest)

    async def _measure(self) -> tuple[int, float]:
        connection = await asyncpg.connect(self._dsn, timeout=QUERY_TIMEOUT, **self._options)
        try:
            row = await connection.fetchrow(OUTBOX_QUERY, timeout=QUERY_TIMEOUT)
        finally:
            await connection.close(timeout=QUERY_TIMEOUT)
        return row[0], row[1]


def outbox_gauges(url: str, pgbouncer: bool = False) -> OutboxGauges:
    """On the database at `url` (`pgbouncer`: a transaction-pooling PgBouncer)."""
    dsn = asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
    return OutboxGauges(dsn, **(PGBOUNCER_DRIVER_OPTIONS if pgbouncer else {}))


class _MetricsOnly(MetricsHandler):
    timeout = 10  # a client that sends nothing is dropped, not kept for ever

    def do_GET(self) -> None:
        if urlsplit(self.path).path != PATH:
            self.send_error(404)
            return
        super().do_GET()


class _BoundServer(ThreadingHTTPServer):
    """An HTTP server on a socket bound beforehand (web.serving.listeners: `localhost` is both loopback
    addresses, and a port taken is told before anything starts)."""

    daemon_threads = True

    def __init__(self, sock: socket.socket, handler: type) -> None:
        self.address_family = sock.family
        super().__init__(sock.getsockname(), handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.server_address = sock.getsockname()
        self.server_activate()


class MetricsExporter:
    def __init__(self, directory: str, sockets: list[socket.socket], outbox: OutboxGauges | None) -> None:
        self.directory = directory
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        if outbox is not None:
            registry.register(outbox)
        self.registry = registry
        self._servers = [_BoundServer(sock, _MetricsOnly.factory(registry)) for sock in sockets]
        self._serving = False

    def start(self) -> None:
        for server in self._servers:
            threading.Thread(target=server.serve_forever, name="sesame-metrics", daemon=True).start()
        self._serving = True

    def worker_gone(self, pid: int) -> None:
        """A worker exited (or was replaced): its gauges stop counting; its counters stay."""
        multiprocess.mark_process_dead(pid, self.directory)

    def close(self) -> None:
        for server in self._servers:
            if self._serving:  # shutdown() waits for serve_forever to return
                server.shutdown()
            server.server_close()
        remove_directory(self.directory)
