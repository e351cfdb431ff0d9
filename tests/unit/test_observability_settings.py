"""LOG_FORMAT and METRICS_PORT."""

import pytest

from infrastructure.settings import ConfigError, load_settings

PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame",
              "MESSAGES_TO_LOG": "true"}


def settings(**env):
    return load_settings(env, env_file="/nonexistent")


def test_logs_are_text_in_development_and_json_in_production_unless_chosen():
    assert settings().log_style == "text"
    assert settings(**PRODUCTION).log_style == "json"
    assert settings(LOG_FORMAT="json").log_style == "json"
    assert settings(**PRODUCTION, LOG_FORMAT="text").log_style == "text"


def test_another_log_format_stops_the_start():
    with pytest.raises(ConfigError, match='^LOG_FORMAT: expected json or text, got "JSON"$'):
        settings(LOG_FORMAT="JSON")


def test_metrics_are_off_unless_a_port_is_given():
    assert settings().observability.metrics_port is None
    assert settings(METRICS_PORT="9100").observability.metrics_port == 9100


@pytest.mark.parametrize(("env", "message"), [
    ({"METRICS_PORT": "0"}, 'METRICS_PORT: expected a port number (1 to 65535), got "0"'),
    ({"METRICS_PORT": "70000"}, 'METRICS_PORT: expected a port number (1 to 65535), got "70000"'),
    ({"METRICS_PORT": "nine"}, 'METRICS_PORT: expected an integer, got "nine"'),
    ({"METRICS_PORT": "4000"}, "METRICS_PORT: 4000 is PORT too; the metrics need a port of their own"),
])
def test_the_metrics_port_is_a_port_of_its_own(env, message):
    with pytest.raises(ConfigError) as refused:
        settings(**env)
    assert str(refused.value) == message
