"""The Telemetry port's adapter: each security event is one WARNING line of the `sesame.security`
logger (`event`, `user_id` when known, `client`, `reason` for a failure), and every report is
counted when metrics are on. What a SIEM alerts on, and nothing an attacker could use: a user
is named by id, never by email or phone number."""

import logging
from typing import TYPE_CHECKING
from uuid import UUID

from application.ports.telemetry import (
    LoginOutcome,
    RefreshOutcome,
    Refusal,
    RegistrationOutcome,
    SecurityEvent,
    Telemetry,
)

if TYPE_CHECKING:  # prometheus_client is loaded only with METRICS_PORT
    from infrastructure.observability.metrics import Metrics

log = logging.getLogger("sesame.security")


class LogTelemetry(Telemetry):
    def __init__(self, metrics: "Metrics | None" = None) -> None:
        self._metrics = metrics

    def login(self, method: str, outcome: LoginOutcome) -> None:
        if self._metrics is not None:
            self._metrics.logins.labels(method, outcome).inc()

    def registration(self, outcome: RegistrationOutcome) -> None:
        if self._metrics is not None:
            self._metrics.registrations.labels(outcome).inc()

    def refresh(self, outcome: RefreshOutcome) -> None:
        if self._metrics is not None:
            self._metrics.refreshes.labels(outcome).inc()

    def security(
        self, event: SecurityEvent, ip: str | None, user_id: UUID | None = None, reason: str | None = None
    ) -> None:
        fields: dict[str, object] = {"event": event}
        if user_id is not None:
            fields["user_id"] = str(user_id)
        fields["client"] = ip
        if reason is not None:
            fields["reason"] = reason
        said = ", ".join(f"{name} {value}" for name, value in fields.items() if name != "event" and value)
        if said:
            log.warning("security event %s (%s)", event, said, extra=fields)
        else:  # nothing known of whom (account_deleted)
            log.warning("security event %s", event, extra=fields)
        if self._metrics is not None:
            self._metrics.security_events.labels(event).inc()

    def refused(self, refusal: Refusal, ip: str | None) -> None:
        if refusal == "rate_limited":
            self.security("rate_limited", ip)
        elif self._metrics is not None:
            self._metrics.busy.inc()
