"""What the service reports to its operator: security log lines and metrics (telemetry), the
metrics themselves (metrics, sampling), and their exporter on METRICS_PORT (exporter)."""
