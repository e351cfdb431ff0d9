"""The metrics a worker keeps (docs/operations.md "Metrics" says what each means and what to
alert on). Imported only with METRICS_PORT set: without it no process loads prometheus_client
or counts anything.

Under `python -m web` every value goes to a file of PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode, chosen by that variable when the module is first imported): the exporter
(exporter.py) sums every worker's files, so one scrape sees them all. The outbox's gauges are not
here: the exporter measures them at scrape time, with one query.

Labels stay few whatever clients send: a route is its template (or `unmatched`), a method
one of METHODS (or `other`), a status its number; every other label value is one of the
application's own names (application.ports.telemetry).

Each request is tallied in the process (a few additions) and the tallies are written to the
shared files once a second (`flush`, by the sampler) and at shutdown: a write to the files is a
lock and an mmap store, three a request (the count, the duration's sum and bucket), which cost
an anonymous /auth/me 9 µs of its 100 (measured), where the tally costs 0.3."""

from bisect import bisect_left

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# /auth/me answers in a millisecond, a login in tens (argon2), a provider callback in hundreds.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
POOL_STATES = ("in_use", "idle", "free")


class RouteDurations:
    """A route's answer times since the last flush, as the histogram counts them: the sum, and
    how many fell in each bucket (the first whose upper bound holds it, +Inf last)."""

    __slots__ = ("count", "total", "buckets")

    def __init__(self, buckets: int) -> None:
        self.count, self.total, self.buckets = 0, 0.0, [0] * buckets

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.buckets[bisect_left(DURATION_BUCKETS, seconds)] += 1

    def write_to(self, histogram) -> None:
        """Into a labelled prometheus_client Histogram, as that many observe() calls would
        (its own two stores: the sum and the per-bucket counts; a test holds them equal)."""
        histogram._sum.inc(self.total)
        for bucket, count in enumerate(self.buckets):
            if count:
                histogram._buckets[bucket].inc(count)
        self.count, self.total, self.buckets = 0, 0.0, [0] * len(self.buckets)


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
        self._counts: dict[tuple[str, str, int], int] = {}  # requests answered since the last flush
        self._durations: dict[str, RouteDurations] = {}
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
        """One answered request (the edge's `observe`): tallied here, written by `flush`."""
        key = (route, method, status)
        self._counts[key] = self._counts.get(key, 0) + 1
        durations = self._durations.get(route)
        if durations is None:
            durations = self._durations[route] = RouteDurations(len(DURATION_BUCKETS) + 1)
        durations.add(seconds)

    def flush(self) -> None:
        """Write the requests tallied since the last flush (what a scrape then sees)."""
        counts, self._counts = self._counts, {}
        for (route, method, status), count in counts.items():
            self.requests.labels(route, method if method in METHODS else "other", str(status)).inc(count)
        for route, durations in self._durations.items():
            if durations.count:
                durations.write_to(self.duration.labels(route))

    def message(self, channel: str, outcome: str) -> None:
        """An outbox delivery's outcome: sent, retried, failed or abandoned."""
        self.messages.labels(channel, outcome).inc()

    def dispatcher_running(self, running: bool) -> None:
        self.dispatcher_up.set(1 if running else 0)

