"""What the service tells its operator: the shape of its log lines, and where its metrics are
served (docs/operations.md "Logs" and "Metrics")."""

import msgspec

from infrastructure.settings.environment import ConfigError, bad, variable

LOG_FORMATS = ("json", "text")


class ObservabilitySettings(msgspec.Struct, frozen=True, kw_only=True):
    # Log lines as text or one JSON object each; default: json in production, text in development.
    log_format: str | None = variable("LOG_FORMAT", None)
    metrics_port: int | None = variable("METRICS_PORT", None)  # Prometheus metrics on their own port; unset: none

    def log_style(self, production: bool) -> str:
        """LOG_FORMAT, or its default: json in production, text in development."""
        return self.log_format or ("json" if production else "text")


def check_observability(observability: ObservabilitySettings, *, port: int) -> None:
    """LOG_FORMAT is json or text; METRICS_PORT a port of its own: the metrics are never
    served on the public port (they tell who fails to sign in, and how often)."""
    if observability.log_format is not None and observability.log_format not in LOG_FORMATS:
        raise bad("LOG_FORMAT", " or ".join(LOG_FORMATS), observability.log_format)
    metrics_port = observability.metrics_port
    if metrics_port is not None and not 1 <= metrics_port <= 65535:
        raise bad("METRICS_PORT", "a port number (1 to 65535)", metrics_port)
    if metrics_port is not None and metrics_port == port:
        raise ConfigError(f"METRICS_PORT: {metrics_port} is PORT too; the metrics need a port of their own")
