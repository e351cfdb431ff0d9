"""The two shapes of a log line (LOG_FORMAT), and the request id each line carries.

- json (production's default): one JSON object a line, `time` (ISO 8601 UTC, milliseconds),
  `level`, `logger`, `message`, `pid` (which worker), `request_id` when written while serving
  a request, then the line's own fields (the access line's `method`, `route`, `path`, `status`,
  `duration_ms`, `client`; a security line's `event`, `user_id`, `client`...), and `exception`
  (the traceback) when there is one. A log shipper needs no pattern to read it.
- text (development's default): uvicorn's look, `INFO:     message`, coloured on a terminal,
  the request id at the end of the line, a traceback below it.

Both only format: what a line may hold was settled before (redaction.RedactSecrets)."""

import logging
import sys
import time

import msgspec
from uvicorn.logging import ColourizedFormatter

from web.observability.redaction import RedactSecrets, extra_fields
from web.observability.request_ids import REQUEST_ID

_encode = msgspec.json.Encoder(enc_hook=str).encode


class RequestContext(logging.Filter):
    """Gives a record the id of the request being served when it was written, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            record.request_id = request_id
        return True


def utc_time(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker
        }
        request_id = record.__dict__.get("request_id")
        if request_id is not None:
            line["request_id"] = request_id
        for name in extra_fields(record):
            line[name] = record.__dict__[name]
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return _encode(line).decode()


class TextFormatter(ColourizedFormatter):
    def __init__(self) -> None:
        super().__init__("%(levelprefix)s %(message)s", use_colors=sys.stderr.isatty())

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = record.__dict__.get("request_id")
        if request_id is None:
            return text
        first, newline, rest = text.partition("\n")  # after the message, before a traceback
        return f"{first} [{request_id}]{newline}{rest}"


def log_handler(style: str = "text") -> logging.Handler:
    """The process's one handler (standard error), with what every line goes through: the
    request id, then the redaction, then the chosen format. Python's warnings come this way
    too, instead of their own lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestContext())
    handler.addFilter(RedactSecrets())
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    logging.captureWarnings(True)
    return handler
