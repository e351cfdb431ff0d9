"""No secret reaches a log line, however it is handed to the logger: in the message or its
arguments, an exception's text, its cause, its traceback, the stack, an extra field (nested),
an object's text. Each case goes through the process's own handler (log_format.log_handler),
in both formats; what must stay (ids, words, numbers) stays."""

import hashlib
import logging
import secrets

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from web.observability.redaction import redact

log = logging.getLogger("sesame.test")

EMAIL = "ada.lovelace+work@example.com"
PHONE = "+33612345678"
ARGON2 = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"
BCRYPT = "$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
TOKEN = secrets.token_urlsafe(32)
DIGEST = hashlib.sha256(b"x").hexdigest()
PASSWORD = "correct horse battery staple"
SECRETS = [EMAIL, PHONE, ARGON2, BCRYPT, TOKEN, DIGEST, "hunter2pw", "s3cr3t-state", "4/0Ab-code"]


def written(log_fixture, style: str) -> str:
    return log_fixture.text() if style == "text" else "\n".join(str(line) for line in log_fixture.lines())


@pytest.fixture(params=["json", "text"])
def handler(request):
    """The process's handler, in each format."""
    return request.param, request.getfixturevalue(f"{request.param}_log")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} reached the log:\n{text}"


def test_arguments_of_every_kind(handler):
    style, written_log = handler
    log.warning("signed up %s with %s", EMAIL, PHONE)
    log.warning("%(who)s has %(hash)s", {"who": EMAIL, "hash": ARGON2})
    log.warning("too few arguments %s %s", EMAIL)  # a broken call is still written, and clean
    log.warning(ValueError(f"an object as the message: {TOKEN}"))
    text = written(written_log, style)
    assert_clean(text)
    assert text.count("[email]") >= 3 and "[phone]" in text and "too few arguments" in text


def test_an_exception_its_cause_and_its_traceback(handler):
    style, written_log = handler
    try:
        try:
            raise KeyError(f"no session for refresh_token={TOKEN}")
        except KeyError as cause:
            raise RuntimeError(f"login of {EMAIL} with hash {BCRYPT} failed") from cause
    except RuntimeError:
        log.exception("unhandled error")
    text = written(written_log, style)
    assert_clean(text)
    assert "Traceback" in text and "RuntimeError" in text and "KeyError" in text


def test_extra_fields_nested_and_objects(handler):
    style, written_log = handler

    class Person:
        def __str__(self) -> str:
            return f"Person({EMAIL})"

    log.warning("a line with fields", extra={
        "body": {"email": EMAIL, "password": PASSWORD, "codes": ["123456", TOKEN]},
        "who": Person(), "digest": DIGEST,
    })
    text = written(written_log, style)
    assert_clean(text)


def log_with_stack() -> None:
    log.warning("where am I", stack_info=True)  # the stack quotes this line: ada.lovelace+work@example.com


def test_the_stack_is_redacted_too(handler):
    style, written_log = handler
    log_with_stack()
    text = written(written_log, style)
    assert_clean(text)
    assert "Stack (most recent call last)" in text and "log_with_stack" in text


def test_a_database_error_with_its_parameters_and_the_row_it_refused(handler):
    """What the issue saw: a failed INSERT logged with the email and the argon2 hash."""
    style, written_log = handler
    driver = asyncpg.CheckViolationError(
        f'new row for relation "users" violates check constraint "x"\nDETAIL:  Failing row contains '
        f"(0190c3a2-0000-7000-8000-000000000001, {EMAIL}, null, {ARGON2}, 2026-01-01 00:00:00+00)."
    )
    shown = sa_exc.IntegrityError("INSERT INTO users (email, password_hash) VALUES ($1, $2)", (EMAIL, ARGON2), driver)
    hidden = sa_exc.IntegrityError("INSERT INTO users (email) VALUES ($1)", (EMAIL,), driver, hide_parameters=True)
    unique = asyncpg.UniqueViolationError(
        f'duplicate key value violates unique constraint "uq_phone"\nDETAIL:  Key (phone_number)=({PHONE}) already exists.'
    )
    for error in (shown, hidden, unique):
        try:
            raise error
        except Exception:
            log.exception("unhandled error")
    text = written(written_log, style)
    assert_clean(text)
    assert "Failing row contains ([redacted])" in text and "Key (phone_number)=([redacted]) already exists" in text
    assert "[parameters: [redacted]]" in text and "INSERT INTO users" in text  # the statement stays


@pytest.mark.parametrize("line", [
    "GET /auth/google/callback?code=4/0Ab-code&state=s3cr3t-state HTTP/1.1",
    f"Cookie: sid={TOKEN}; refresh_token={TOKEN}",
    f"headers [(b'cookie', b'sid={TOKEN}; device=hunter2pw')]",
    f"Set-Cookie: refresh_token={TOKEN}; Path=/auth; HttpOnly",
    f"{{'set-cookie': 'sid={TOKEN}'}}",
    f"Authorization: Bearer {TOKEN}",
    "connecting to postgresql://sesame:hunter2pw@db.internal:5432/sesame",
    f'body {{"password": "hunter2pw", "newPassword": "hunter2pw", "token": "{TOKEN}"}}',
    f"form password=hunter2pw&email={EMAIL}",
    "{'code': '4/0Ab-code', 'state': 's3cr3t-state'}",
    "SendGrid key SG.abcdefghijklmnop.hunter2pwhunter2pwhunter2pwhunter2pw rejected",
    f"ContentVariables {{\"1\": \"493817\"}} to {PHONE}",
    f"a JWT eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJnLWFsaWNlIiwiZW1haWwiOiJhZGEifQ.{TOKEN}",
    f"spaced +33 6 12 34 56 78 and {PHONE}",
    f"digest \\x{DIGEST}",
])
def test_secrets_in_any_spelling(line):
    cleaned = redact(line)
    assert_clean(cleaned)
    for value in ("493817", "+33 6 12 34 56 78", "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ"):
        assert value not in cleaned


@pytest.mark.parametrize("line", [
    "user 0190c3a2-5b7e-7000-8b1c-3f0a9e2d4c11 signed in from 2001:db8::1",
    '127.0.0.1 - "GET /auth/sessions/{id} HTTP/1.1" 200 1.2 ms',
    "Sésame will hold up to 2 worker(s) x (20 pooled + 1 outbox listener) = 42 PostgreSQL connections",
    "message 0190c3a2-5b7e-7000-8b1c-3f0a9e2d4c11 (verify_email) abandoned at 2026-01-01T12:00:00+00:00",
    "sqlalchemy.dialects.postgresql.asyncpg.IntegrityError at ix_outbox_messages_created_at",
    "the schema is at revision 0007_delivery_window; Started server process [12345]",
])
def test_what_helps_an_operator_stays(line):
    assert redact(line) == line


def test_the_request_id_is_never_rewritten(json_log):
    from web.observability.request_ids import REQUEST_ID

    token = REQUEST_ID.set("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6-client-trace")  # token-like, and sane
    try:
        log.warning("inside")
    finally:
        REQUEST_ID.reset(token)
    [line] = [line for line in json_log.lines() if line["logger"] == "sesame.test"]
    assert line["request_id"] == "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6-client-trace"
