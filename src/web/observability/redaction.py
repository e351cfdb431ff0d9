"""What no log line may hold, removed in one place: the filter on every handler of the
process's logging (web.observability.log_setup), whatever logger wrote the line.

The code does not log secrets in the first place: bodies and cookies are never logged, the
access line has no query string, SQLAlchemy hides statements' parameters, security lines name
a user by id. This is the net under it, for what slips through anyway: a driver's error that
quotes the row it refused (`Failing row contains (..., ada@example.com, $argon2id$...)`), an
exception from a provider's SDK quoting its request, a library that logs a URL with a `code`
or `state`. It rewrites the formatted message, the traceback, the stack and every extra field
of a record, before any formatter sees it:

- email addresses and phone numbers (a user is named by id);
- argon2 and bcrypt hashes, SendGrid keys, and token-like strings (24 or more letters,
  digits, `-` and `_`, with both letters and digits; a UUID is an id, and stays);
- the values of secret fields: `password=`, `token=`, `code=`, `state=`, cookies by name, in
  a query string, a form, JSON or a Python repr; Cookie, Set-Cookie and Authorization values;
  a URL's password;
- what PostgreSQL quotes of a row (`Failing row contains (...)`, `Key (email)=(...)`) and
  SQLAlchemy's `[parameters: ...]`.

The request id is left as it is: it is checked at the edge (web.observability.request_ids)
and exists to be found.
"""

import logging
import re
from collections.abc import Callable

REDACTED = "[redacted]"

# Field names whose values are secret, wherever they appear as name=value or "name": "value".
_SECRET_NAMES = (
    r"password|new_?password|current_?password|password_?hash|passwd|secret|client_?secret|"
    r"token|access_?token|refresh_?token|id_?token|auth_?token|api_?key|apikey|code|code_?verifier|"
    r"state|nonce|otp|sid|device|pending_?link|\w+_flow|authorization"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _keep_ids(match: re.Match) -> str:
    """A token-like run, unless it is a UUID (users, sessions and messages are named by one)."""
    text = match.group(0)
    return text if _UUID.fullmatch(text) else REDACTED


# (a character the text must hold for the pattern to apply, pattern, replacement), in order:
# the structured forms first, so that the generic ones below do not half-eat them.
_RULES: list[tuple[str, re.Pattern[str], str | Callable[[re.Match], str]]] = [
    ("[", re.compile(r"\[parameters: [^\n]*"), f"[parameters: {REDACTED}]"),
    ("(", re.compile(r"(Failing row contains )\([^\n]*"), rf"\1({REDACTED})"),
    ("(", re.compile(r"(Key \([^)\n]*\)=)\((?:[^\n]*?)\)(?= already exists| is not present| is still "
                     r"referenced| conflicts|\.?\s*$)", re.MULTILINE), rf"\1({REDACTED})"),
    ("@", re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@"), rf"\1{REDACTED}@"),
    (":", re.compile(r"(?i)\b((?:set-)?cookie|authorization)(['\"]?\s*[:=]\s*)[^\n]*"), rf"\1\2{REDACTED}"),
    ("=", re.compile(rf"(?i)(?<![\w-])({_SECRET_NAMES})=[^&;\s\"',)\]}}]+"), rf"\1={REDACTED}"),
    (":", re.compile(rf"(?i)([\"'](?:{_SECRET_NAMES})[\"']\s*:\s*[\"'])[^\"'\n]*"), rf"\1{REDACTED}"),
    (":", re.compile(r"(\"\d+\"\s*:\s*\")\d{4,10}(?=\")"), rf"\1{REDACTED}"),  # a code as a template variable
    ("$", re.compile(r"\$argon2(?:id|i|d)\$[^\s\"',)\]]+"), REDACTED),
    ("$", re.compile(r"\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}"), REDACTED),
    ("SG.", re.compile(r"\bSG\.[\w-]{8,}\.[\w-]{8,}"), REDACTED),
    ("@", re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("+", re.compile(r"(?<![\w+])\+[1-9](?:[ .()-]{0,2}\d){6,14}(?!\d)"), "[phone]"),
    ("", re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{24,}(?![\w-])", re.ASCII), _keep_ids),
]


def redact(text: str) -> str:
    for needed, pattern, replacement in _RULES:
        if needed in text:
            text = pattern.sub(replacement, text)
    return text


def _redact_value(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_redact_value(item) for item in value]
    return redact(str(value))  # an object: its text is what a formatter would write


# A record's own attributes; anything else was passed as `extra` (the line's fields), but the
# request id, which the edge checked and which exists to be found as it is.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName", "request_id", "color_message",
}


def extra_fields(record: logging.LogRecord) -> list[str]:
    return [name for name in record.__dict__ if name not in _RECORD_ATTRIBUTES]


_TRACEBACKS = logging.Formatter()


class RedactSecrets(logging.Filter):
    """Rewrites the record in place: every handler after it, and every formatter, sees only
    the redacted text. Never drops a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(_message(record)), None
        if record.exc_info:
            record.exc_text = record.exc_text or _TRACEBACKS.formatException(record.exc_info)
            record.exc_info = None  # only its text, redacted, goes further
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.__dict__.pop("color_message", None)  # uvicorn's coloured copy of the message
        for name in extra_fields(record):
            record.__dict__[name] = _redact_value(record.__dict__[name])
        return True


def _message(record: logging.LogRecord) -> str:
    """The message with its arguments, as a formatter would make it; one whose arguments do
    not fit its format is still written (with both), not lost."""
    try:
        return record.getMessage()
    except Exception:
        return f"{record.msg} {record.args!r}"
