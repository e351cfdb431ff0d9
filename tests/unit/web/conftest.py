import io
import json
import logging

import pytest

from web.observability.log_format import log_handler


class Written:
    """What the process's log handler wrote since the last read."""

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    def text(self) -> str:
        written = self._stream.getvalue()
        self._stream.seek(0)
        self._stream.truncate()
        return written

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]


def _installed(style: str, caplog):
    """The handler log_setup gives the root logger (log_format.log_handler), for one test,
    writing to a buffer instead of standard error."""
    caplog.set_level(logging.INFO)
    handler = log_handler(style)
    stream = io.StringIO()
    handler.setStream(stream)
    logging.getLogger().addHandler(handler)
    try:
        yield Written(stream)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.captureWarnings(False)


@pytest.fixture
def json_log(caplog):
    yield from _installed("json", caplog)


@pytest.fixture
def text_log(caplog):
    yield from _installed("text", caplog)
