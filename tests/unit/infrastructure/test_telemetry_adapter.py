"""The Telemetry adapter: a security event is one WARNING line of `sesame.security` with its
fields (never an email: a user id) and a count; outcomes are counted under their names; the
metrics' labels stay few whatever a request carried."""

import logging
import uuid

import pytest
from prometheus_client import CollectorRegistry

from infrastructure.observability.metrics import Metrics
from infrastructure.observability.sampling import GaugeSampler, PoolUsage, driver_pool_usage, queue_pool_usage
from infrastructure.observability.telemetry import LogTelemetry
from infrastructure.persistence.driver_pool import DriverPool

USER = uuid.UUID("0190c3a2-5b7e-7000-8b1c-3f0a9e2d4c11")


@pytest.fixture
def registry():
    return CollectorRegistry()


@pytest.fixture
def metrics(registry):
    return Metrics(registry)


def value(registry, name: str, **labels) -> float | None:
    return registry.get_sample_value(name, labels)


def test_a_security_event_is_one_warning_line_with_its_fields_and_a_count(caplog, metrics, registry):
    with caplog.at_level(logging.WARNING, logger="sesame.security"):
        LogTelemetry(metrics).security("login_failed", "203.0.113.7", USER, reason="locked")
    [record] = caplog.records
    assert (record.name, record.levelname) == ("sesame.security", "WARNING")
    assert (record.event, record.user_id, record.client, record.reason) == (
        "login_failed", str(USER), "203.0.113.7", "locked")
    assert str(USER) in record.getMessage() and "locked" in record.getMessage()
    assert value(registry, "sesame_security_events_total", event="login_failed") == 1


def test_a_deleted_account_is_one_line_that_names_nobody(caplog, metrics, registry):
    with caplog.at_level(logging.WARNING, logger="sesame.security"):
        LogTelemetry(metrics).security("account_deleted", None)
    [record] = caplog.records
    assert (record.event, record.client, record.getMessage()) == ("account_deleted", None, "security event account_deleted")
    assert not hasattr(record, "user_id")
    assert value(registry, "sesame_security_events_total", event="account_deleted") == 1


def test_an_event_without_a_user_has_no_user_field(caplog):
    with caplog.at_level(logging.WARNING, logger="sesame.security"):
        LogTelemetry().security("rate_limited", None)  # no metrics: the line all the same
    [record] = caplog.records
    assert record.event == "rate_limited" and not hasattr(record, "user_id") and record.client is None


def test_outcomes_are_counted_under_their_names(metrics, registry):
    telemetry = LogTelemetry(metrics)
    telemetry.login("password", "success")
    telemetry.login("google", "failed")
    telemetry.registration("email_taken")
    telemetry.refresh("reuse_detected")
    telemetry.refused("busy", "203.0.113.7")
    assert value(registry, "sesame_logins_total", method="password", outcome="success") == 1
    assert value(registry, "sesame_logins_total", method="google", outcome="failed") == 1
    assert value(registry, "sesame_registrations_total", outcome="email_taken") == 1
    assert value(registry, "sesame_refresh_total", outcome="reuse_detected") == 1
    assert value(registry, "sesame_busy_total") == 1


def test_a_rate_limit_refusal_is_a_security_line(caplog, metrics, registry):
    with caplog.at_level(logging.WARNING, logger="sesame.security"):
        LogTelemetry(metrics).refused("rate_limited", "2001:db8::1")
    assert [(r.event, r.client) for r in caplog.records] == [("rate_limited", "2001:db8::1")]
    assert value(registry, "sesame_busy_total") == 0


def test_the_series_alerts_divide_by_exist_from_the_start(registry, metrics):
    assert value(registry, "sesame_logins_total", method="password", outcome="invalid_credentials") == 0
    assert value(registry, "sesame_refresh_total", outcome="reuse_detected") == 0
    assert value(registry, "sesame_dispatcher_up") == 0


def test_requests_are_counted_by_route_method_and_status_with_few_labels(metrics, registry):
    for method in ("GET", "GET", "BREW", "get"):
        metrics.observe_request("/auth/me", method, 200, 0.002)
    metrics.observe_request("unmatched", "GET", 404, 0.0004)
    assert value(registry, "sesame_http_requests_total", route="/auth/me", method="GET", status="200") is None
    metrics.flush()  # tallied in the process, written once a second
    assert value(registry, "sesame_http_requests_total", route="/auth/me", method="GET", status="200") == 2
    assert value(registry, "sesame_http_requests_total", route="/auth/me", method="other", status="200") == 2
    assert value(registry, "sesame_http_request_duration_seconds_count", route="/auth/me") == 4
    assert value(registry, "sesame_http_request_duration_seconds_bucket", route="/auth/me", le="0.0025") == 4
    assert value(registry, "sesame_http_request_duration_seconds_bucket", route="unmatched", le="0.001") == 1


def test_a_flush_writes_what_observing_each_request_would(metrics, registry):
    """The histogram's tallies go through two of prometheus_client's own stores: compare
    with a histogram fed request by request."""
    reference = CollectorRegistry()
    expected = Metrics(reference)
    times = [0, 0.0004, 0.001, 0.0010001, 0.002, 0.0025, 0.03, 0.7, 9.99, 10, 10.5, 120]
    for seconds in times:
        metrics.observe_request("/auth/login", "POST", 200, seconds)
        expected.duration.labels("/auth/login").observe(seconds)
    metrics.flush()
    metrics.flush()  # nothing new: nothing written twice
    metrics.observe_request("/auth/login", "POST", 200, 0.004)
    expected.duration.labels("/auth/login").observe(0.004)
    metrics.flush()

    def histogram(of) -> dict:
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in of.collect() if family.name == "sesame_http_request_duration_seconds"
                for sample in family.samples if not sample.name.endswith("_created")}

    assert histogram(registry) == histogram(reference)
    assert value(registry, "sesame_http_requests_total", route="/auth/login", method="POST", status="200") == 13


def test_the_dispatcher_and_messages(metrics, registry):
    metrics.dispatcher_running(True)
    metrics.message("email", "retried")
    metrics.message("email", "sent")
    assert value(registry, "sesame_dispatcher_up") == 1
    assert value(registry, "sesame_messages_total", channel="email", outcome="sent") == 1
    metrics.dispatcher_running(False)
    assert value(registry, "sesame_dispatcher_up") == 0


class FixedPool:
    """What a SQLAlchemy QueuePool of 10 with 3 checked out and 2 idle says."""

    def checkedout(self):
        return 3

    def checkedin(self):
        return 2

    def size(self):
        return 10


def test_the_sampler_sets_the_pools_and_the_password_queue(metrics, registry):
    hot = DriverPool("postgresql://unused/x", 4)
    sampler = GaugeSampler(metrics, {"units": lambda: queue_pool_usage(FixedPool()),
                                     "hot": lambda: driver_pool_usage(hot)}, lambda: 7)
    sampler.sample()
    assert {state: value(registry, "sesame_db_pool_connections", pool="units", state=state)
            for state in ("in_use", "idle", "free")} == {"in_use": 3, "idle": 2, "free": 5}
    assert value(registry, "sesame_db_pool_connections", pool="hot", state="free") == 4
    assert value(registry, "sesame_password_work_queued") == 7
    assert driver_pool_usage(hot) == PoolUsage(0, 0, 4)
