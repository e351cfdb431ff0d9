"""The access log line of a provider callback, as uvicorn builds it, holds no code or state."""

import logging
import logging.config

import pytest
from uvicorn.logging import AccessFormatter

from infrastructure.settings import load_settings_or_exit
from web.__main__ import server_options
from web.serving.access_log import ACCESS_LOGGER, CallbackQueryFilter, log_config


def access_line(path_with_query: str) -> str:
    """What uvicorn's access logger writes for a GET of `path_with_query`, through the filter."""
    record = logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("198.51.100.7:5000", "GET", path_with_query, "1.1", 302), None)
    assert CallbackQueryFilter().filter(record) is True
    return AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)


@pytest.mark.parametrize("provider", ["google", "facebook", "github", "acme"])
def test_a_callbacks_query_string_is_dropped(provider):
    line = access_line(f"/auth/{provider}/callback?code=4%2F0Ab-secret-code&state=state-secret&scope=email")
    assert line == f'198.51.100.7:5000 - "GET /auth/{provider}/callback HTTP/1.1" 302 Found'


@pytest.mark.parametrize("path", ["/auth/google?link=true&redirect=/account", "/auth/events?limit=5", "/auth/me"])
def test_other_lines_are_left_as_they_are(path):
    assert f'"GET {path} HTTP/1.1"' in access_line(path)


def test_python_m_web_gives_uvicorn_the_filtered_access_logger(monkeypatch):
    monkeypatch.setenv("APP_ENV", "development")
    options = server_options(load_settings_or_exit())
    assert options["log_config"] == log_config()
    config = log_config()
    assert config["loggers"][ACCESS_LOGGER]["filters"] == ["callback_query"]
    factory = config["filters"]["callback_query"]["()"]  # a name: each worker resolves it anew
    assert logging.config.BaseConfigurator({}).resolve(factory) is CallbackQueryFilter
