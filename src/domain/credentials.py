"""Rules for what a person may type: emails, usernames, names and new passwords."""

import re
from functools import cache
from importlib.resources import files

from domain.errors import InvalidInput, WeakPassword

MAX_EMAIL = 254
MAX_NAME = 100
MIN_PASSWORD_BYTES = 8
MAX_PASSWORD_BYTES = 256

# Deliberately loose (RFC 5322 allows far more); the verification email is the real proof.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,29}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalize_email(raw: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased."""
    email = check_printable("email", raw).strip().lower()
    if len(email) > MAX_EMAIL:
        raise InvalidInput("email", f"must be at most {MAX_EMAIL} characters")
    if not _EMAIL.fullmatch(email):
        raise InvalidInput("email", "is not a valid email address")
    return email


def normalize_username(raw: str | None) -> str | None:
    username = optional_text(raw, "username")
    if username is not None and not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "username", "must be 3 to 30 letters, digits, dots, dashes or underscores"
        )
    return username


def normalize_name(field: str, raw: str | None) -> str | None:
    name = optional_text(raw, field)
    if name is not None and len(name) > MAX_NAME:
        raise InvalidInput(field, f"must be at most {MAX_NAME} characters")
    return name


def optional_text(raw: str | None, field: str = "text") -> str | None:
    """The contract says an optional field sent as "" means "not given"."""
    if raw is None:
        return None
    text = check_printable(field, raw).strip()
    return text or None


def check_printable(field: str, text: str) -> str:
    """No control characters (a NUL cannot even be stored) in what people type."""
    if _CONTROL.search(text):
        raise InvalidInput(field, "must not contain control characters")
    return text


def check_password_length(password: str) -> None:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidInput("password", f"must be at most {MAX_PASSWORD_BYTES} bytes")


def check_new_password(password: str) -> None:
    check_password_length(password)
    if len(password.encode()) < MIN_PASSWORD_BYTES:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_BYTES} characters.")
    if password.lower() in _common_passwords():
        raise WeakPassword("This password is too common; choose another one.")


@cache
def _common_passwords() -> frozenset[str]:
    # The 10 000 most frequent leaked passwords, most common first.
    text = files("domain").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())
