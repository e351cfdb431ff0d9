"""Rules for what a person may type: emails, usernames, names and new passwords."""

import re
import unicodedata
from functools import cache
from importlib.resources import files

from domain.errors import InvalidInput, WeakPassword
from domain.hosts import a_label

MAX_EMAIL = 254
MAX_NAME = 100
# Characters (code points), as JSON Schema's minLength counts them: the schema can say it.
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 256
MIN_USERNAME, MAX_USERNAME = 3, 30

# Deliberately loose (RFC 5322 allows far more); the verification email is the real proof.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_USERNAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{{MIN_USERNAME - 1},{MAX_USERNAME - 1}}}")
# Characters nobody types on purpose in an email, a username or a name, and that let two
# strings look alike (or a name run backwards): controls (Cc), format characters (Cf: zero
# width space, bidi overrides, BOM, soft hyphen...), surrogates, private use and unassigned
# code points, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# ...and the blank ones Unicode files as letters or marks (Default_Ignorable_Code_Point
# outside Cf): combining grapheme joiner, Hangul fillers, Khmer inherent vowels. Variation
# selectors stay (U+FE00-FE0F, U+E0100+, Mongolian U+180B-180F): they pick the glyph of the
# visible character before them (emoji, ideographic variants in Japanese names).
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
# Dots that IDNA reads as label separators (ideographic, full-width and half-width full stops).
_DOTS = re.compile("[\u3002\uff0e\uff61]")


def normalize_email(raw: str, field: str = "email") -> str:
    """One stored form per address, however it was typed: NFC, the local part lower-cased
    (emails are compared case-insensitively), the domain as ASCII (see `_ascii_domain`)."""
    text = visible_text(field, raw).strip()
    if len(text) > MAX_EMAIL:
        raise InvalidInput(field, f"must be at most {MAX_EMAIL} characters")
    local, _, domain = text.rpartition("@")
    if not (local and domain):
        raise InvalidInput(field, "is not a valid email address")
    email = f"{unicodedata.normalize('NFC', local.lower())}@{_ascii_domain(field, domain)}"
    if len(email) > MAX_EMAIL:  # an encoded domain is longer than the one typed
        raise InvalidInput(field, f"must be at most {MAX_EMAIL} characters once encoded")
    # Checked on the stored form: NFKC can make an "@", a space or a dot (U+FE6B, U+3000, U+FF0E).
    if not _EMAIL.fullmatch(email):
        raise InvalidInput(field, "is not a valid email address")
    return email


def normalize_identifier(raw: str, field: str = "emailOrUsername") -> str:
    """What a login looks up: an email in its stored form, so that any spelling of it
    (decomposed, full-width domain, Unicode or punycode domain) finds the account."""
    text = visible_text(field, raw).strip()
    if "@" not in text:
        return text  # a username: ASCII by its rule, compared case-insensitively
    try:
        return normalize_email(text, field)
    except InvalidInput:
        return text  # no account has it (every stored email is valid): invalid_credentials


def normalize_username(raw: str | None) -> str | None:
    username = optional_text(raw, "username")
    if username is not None and not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "username", f"must be {MIN_USERNAME} to {MAX_USERNAME} letters, digits, dots, dashes or underscores"
        )
    return username


def normalize_name(field: str, raw: str | None) -> str | None:
    """Any script, accents, apostrophes, hyphens and spaces; NFC so that one name has one form."""
    name = optional_text(raw, field)
    if name is not None and len(name) > MAX_NAME:
        raise InvalidInput(field, f"must be at most {MAX_NAME} characters")
    return name


def optional_text(raw: str | None, field: str = "text") -> str | None:
    """The contract says an optional field sent as "" means "not given"."""
    if raw is None:
        return None
    text = visible_text(field, raw).strip()
    return text or None


def visible_text(field: str, text: str) -> str:
    """`text` in NFC, refused if it holds a character nobody sees (or a NUL, which cannot
    even be stored)."""
    if any(_is_refused(c) for c in text):
        raise InvalidInput(field, "must not contain control, format or invisible characters")
    return unicodedata.normalize("NFC", text)


def without_invisible(text: str | None) -> str:
    """What a provider asserted (it cannot be refused): the same rule, by removal."""
    return unicodedata.normalize("NFC", "".join(c for c in text or "" if not _is_refused(c)))


def _is_refused(char: str) -> bool:
    return char in _INVISIBLE or unicodedata.category(char) in _REFUSED_CATEGORIES


def _ascii_domain(field: str, domain: str) -> str:
    """The domain as DNS and mail servers know it: NFKC-folded (full-width letters and dots
    become ASCII), lower-cased, each Unicode label IDNA-encoded to its punycode A-label.
    Stored in ASCII because that form is unique whichever way it was typed (Unicode or
    already punycode), compares byte for byte in the database, and goes into an SMTP
    envelope as is, even to a server without SMTPUTF8."""
    folded = _DOTS.sub(".", unicodedata.normalize("NFKC", domain).lower())
    try:
        return ".".join(a_label(label) for label in folded.split("."))
    except UnicodeError:
        raise InvalidInput(field, "has a domain that is not a valid domain name") from None


def check_password_length(password: str) -> None:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidInput("password", f"must be at most {MAX_PASSWORD_BYTES} bytes")


def check_new_password(password: str) -> None:
    check_password_length(password)
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_CHARS} characters.")
    if password.lower() in _common_passwords():
        raise WeakPassword("This password is too common; choose another one.")


@cache
def _common_passwords() -> frozenset[str]:
    # The 10 000 most frequent leaked passwords, most common first.
    text = files("domain").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())
