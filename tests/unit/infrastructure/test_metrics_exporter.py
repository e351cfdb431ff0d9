"""METRICS_PORT's endpoint: one scrape sums every worker's files (a worker is a process of its
own, as uvicorn starts them); a worker gone leaves its counters but not its gauges; only
/metrics is served; the directory is fresh and private, and gone once the service stops."""

import os
import socket
import stat
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from infrastructure.observability.exporter import MetricsExporter
from infrastructure.observability.multiprocess import VARIABLE, fresh_directory, remove_directory
from tests.support.server import ROOT

WORKER = textwrap.dedent("""
    import os
    from infrastructure.observability.metrics import Metrics
    metrics = Metrics()
    metrics.observe_request("/auth/me", "GET", 200, 0.002)
    metrics.flush()
    metrics.logins.labels("password", "success").inc()
    metrics.dispatcher_running(True)
    metrics.db_pool.labels("hot", "in_use").set(3)
    print(os.getpid())
""")


def worker(directory: str) -> int:
    """A process that counts as a worker does, then exits; its pid."""
    done = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": "src", VARIABLE: directory})
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def scrape(port: int, path: str = "/metrics") -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        text = answer.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def directory(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    path = fresh_directory()
    yield path
    remove_directory(path)


def test_the_directory_is_fresh_private_and_named_for_the_workers(directory):
    assert os.environ[VARIABLE] == directory and os.listdir(directory) == []
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_one_scrape_sums_the_workers_and_a_dead_one_keeps_only_its_counters(directory):
    first, second = worker(directory), worker(directory)
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    exporter = MetricsExporter(directory, [sock], outbox=None)
    exporter.start()
    try:
        seen = scrape(port)
        assert seen[("sesame_http_requests_total", (("method", "GET"), ("route", "/auth/me"), ("status", "200")))] == 2
        assert seen[("sesame_logins_total", (("method", "password"), ("outcome", "success")))] == 2
        assert seen[("sesame_dispatcher_up", ())] == 2
        assert seen[("sesame_db_pool_connections", (("pool", "hot"), ("state", "in_use")))] == 6

        exporter.worker_gone(first)
        seen = scrape(port)
        assert seen[("sesame_dispatcher_up", ())] == 1  # only the live one's
        assert seen[("sesame_logins_total", (("method", "password"), ("outcome", "success")))] == 2
        assert second  # still counted

        with pytest.raises(urllib.error.HTTPError) as other:
            scrape(port, "/")
        assert other.value.code == 404
    finally:
        exporter.close()
    assert not os.path.exists(directory)
    with pytest.raises(OSError):
        scrape(port)
