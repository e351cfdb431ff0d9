"""The metrics a worker keeps (docs/operations.md "Metrics" says what each means and what to
alert on). Imported only with METRICS_PORT set: without it no process loads prometheus_client
or counts anything.

Under `python -m web` every value goes to a file of PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode, chosen by that variable when the module is first imported): the exporter
(exporter.py) sums every worker's files, so one scrape sees them all. The outbox's gauges are not
here: the exporter measures them at scrape time, with one query.

Labels stay few whatever clients send: a route is its template (or `unmatched`), a method
one of METHODS (or `other`), a status its number; every other label value is one of the
application's own names (application.ports.telemetry)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# /auth/me answers in a millisecond, a login in tens (argon2), a provider callback in hundreds.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
POOL_STATES = ("in_use", "idle", "free")


class Metrics:
    """One set per process. `registry`: where they are registered for reading in this process
    (tests); in a worker they are read from the multiprocess files and registered nowhere."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        def counter(name: str, text: str, *labels: str) -> Counter:
            return Counter(name, text, labels, registry=registry)

        def gauge(name: str, text: str, *labels: str) -> Gauge:
            # A worker's value counts while it lives (livesum): a dead one's is dropped
            # (prometheus_client.multiprocess.mark_process_dead, called by the supervisor).
            return Gauge(name, text, labels, registry=registry, multiprocess_mode="livesum")

        self.requests = counter("sesame_http_requests_total", "HTTP requests answered", "route", "method", "status")
        self.duration = Histogram(
            "sesame_http_request_duration_seconds", "Time to answer an HTTP request", ["route"],
            buckets=DURATION_BUCKETS, registry=registry,
        )
        self.logins = counter("sesame_logins_total", "Sign-in attempts by outcome", "method", "outcome")
        self.registrations = counter("sesame_registrations_total", "Registrations by outcome", "outcome")
        self.refreshes = counter("sesame_refresh_total", "Refresh-token exchanges by outcome", "outcome")
        self.security_events = counter("sesame_security_events_total", "Security log lines by event", "event")
        self.messages = counter("sesame_messages_total", "Outbox deliveries by outcome", "channel", "outcome")
        self.busy = counter("sesame_busy_total", "Requests refused with 503 busy (password work queue full)")
        self.dispatcher_up = gauge("sesame_dispatcher_up", "Outbox dispatchers delivering (1 per process)")
        self.password_work_queued = gauge(
            "sesame_password_work_queued", "Requests holding a place for password work (hashing or waiting)"
        )
        self.db_pool = gauge("sesame_db_pool_connections", "Database pool connections by state", "pool", "state")
        self._observed: dict[tuple[str, str, int], tuple] = {}
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        """The series alerts divide by exist from the start (a ratio over an absent series is
        no ratio), and a process without a dispatcher says so (0, not nothing)."""
        for outcome in ("success", "invalid_credentials", "locked", "rate_limited"):
            self.logins.labels("password", outcome)
        for outcome in ("rotated", "grace", "reuse_detected", "invalid"):
            self.refreshes.labels(outcome)
        self.registrations.labels("created")
        self.busy.inc(0)
        self.dispatcher_up.set(0)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One answered request (the edge's `observe`). Its labelled children are kept: a
        request costs two dictionary lookups and two writes, not a labels() call each."""
        key = (route, method, status)
        children = self._observed.get(key)
        if children is None:
            label = method if method in METHODS else "other"
            children = self._observed[key] = (
                self.requests.labels(route, label, str(status)), self.duration.labels(route)
            )
        children[0].inc()
        children[1].observe(seconds)

    def message(self, channel: str, outcome: str) -> None:
        """An outbox delivery's outcome: sent, retried, failed or abandoned."""
        self.messages.labels(channel, outcome).inc()

    def dispatcher_running(self, running: bool) -> None:
        self.dispatcher_up.set(1 if running else 0)
