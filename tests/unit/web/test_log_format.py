"""LOG_FORMAT: one JSON object a line (time, level, logger, message, the line's fields), or
uvicorn's text; one setup for every logger of the process (the app, uvicorn, SQLAlchemy, the
jobs, Python's warnings)."""

import json
import logging
import re
import subprocess
import sys
import textwrap

from tests.support.server import ROOT
from web.observability.log_setup import logging_config

log = logging.getLogger("sesame.test")
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_a_json_line_has_the_contract_s_fields_then_its_own(json_log):
    log.warning("security event %s", "login_failed", extra={"event": "login_failed", "client": "203.0.113.7"})
    [line] = json_log.lines()
    assert list(line)[:5] == ["time", "level", "logger", "message", "pid"]
    assert ISO_UTC.fullmatch(line["time"])
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "sesame.test", "security event login_failed")
    assert (line["event"], line["client"]) == ("login_failed", "203.0.113.7")


def test_a_traceback_and_a_multi_line_message_stay_on_one_json_line(json_log):
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        log.exception("two\nlines")
    text = json_log.text()
    assert text.count("\n") == 1
    line = json.loads(text)
    assert line["message"] == "two\nlines" and "ValueError: first\nsecond" in line["exception"]
    assert line["exception"].startswith("Traceback (most recent call last)")


def test_a_field_of_any_type_is_written(json_log):
    log.warning("fields", extra={"status": 200, "duration_ms": 1.25, "nothing": None, "when": object()})
    [line] = json_log.lines()
    assert (line["status"], line["duration_ms"], line["nothing"]) == (200, 1.25, None)
    assert line["when"].startswith("<object object")


def test_the_text_line_is_uvicorn_s_with_the_request_id_at_its_end(text_log):
    from web.observability.request_ids import REQUEST_ID

    token = REQUEST_ID.set("req-42")
    try:
        log.warning('127.0.0.1 - "GET /auth/me HTTP/1.1" 200 1.0 ms')
    finally:
        REQUEST_ID.reset(token)
    log.info("no request")
    assert text_log.text().splitlines() == [
        'WARNING:  127.0.0.1 - "GET /auth/me HTTP/1.1" 200 1.0 ms [req-42]', "INFO:     no request",
    ]


def test_every_logger_goes_through_the_one_handler():
    config = logging_config("json")
    assert list(config["handlers"]) == ["main"] and config["root"]["handlers"] == ["main"]
    assert config["handlers"]["main"]["()"] == "web.observability.log_format.log_handler"
    assert all(not logger.get("handlers") for logger in config["loggers"].values())  # they propagate
    assert config["loggers"]["uvicorn.access"]["propagate"] is False  # the edge writes the access line


def test_a_process_configured_so_writes_only_json_lines():
    """In a fresh process, as a worker or a command is: uvicorn, SQLAlchemy, the jobs, the
    purge, Python's warnings and an uncaught-looking error, all one JSON object a line."""
    program = textwrap.dedent("""
        import logging, warnings
        from web.observability.log_setup import configure_logging
        configure_logging("json")
        logging.getLogger("uvicorn.error").info("Started server process [1]")
        logging.getLogger("sqlalchemy.pool.impl.AsyncAdaptedQueuePool").error("Exception terminating connection")
        logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 1 (quiet at INFO)")
        logging.getLogger("sesame.jobs").warning("outbox delivery paused")
        logging.getLogger("infrastructure.persistence.housekeeping").info("purged 3 rows")
        warnings.warn("a library's warning")
        try:
            1 / 0
        except ZeroDivisionError:
            logging.getLogger("sesame.errors").exception("unhandled error")
    """)
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env={"PYTHONPATH": "src"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["logger"] for line in lines] == [
        "uvicorn.error", "sqlalchemy.pool.impl.AsyncAdaptedQueuePool", "sesame.jobs",
        "infrastructure.persistence.housekeeping", "py.warnings", "sesame.errors",
    ]
    assert "ZeroDivisionError" in lines[-1]["exception"]
