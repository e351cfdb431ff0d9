"""Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA-1, 6 digits, 30 s steps),
in a few lines of the standard library: the domain imports nothing else, and the algorithm is
small enough to hold against the RFC's own test vectors (tests/unit/domain/test_totp.py).

Rules:
- a secret is 160 random bits (RFC 4226's recommendation), shown once as base32 without
  padding, inside an otpauth:// URI for authenticator apps;
- a code is accepted for the step of `now` and one step either side (clock drift);
- a code is accepted once: a code of the same or an earlier step than the last one accepted
  for the account is refused (replay), so the step it matched must be stored;
- codes are compared in constant time.
"""

import base64
import hashlib
import hmac
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

TOTP_DIGITS = 6
TOTP_PERIOD = 30  # seconds per step
TOTP_DRIFT = 1  # steps accepted either side of now
SECRET_BYTES = 20  # 160 bits


def time_step(now: datetime, period: int = TOTP_PERIOD) -> int:
    """The RFC 6238 counter T: whole periods since the Unix epoch."""
    return int(now.timestamp()) // period


def hotp(secret: bytes, counter: int, digits: int = TOTP_DIGITS) -> str:
    """RFC 4226: HMAC-SHA-1 of the 8-byte counter, dynamically truncated to `digits`."""
    mac = hmac.digest(secret, struct.pack(">Q", counter), "sha1")
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def totp(secret: bytes, now: datetime, digits: int = TOTP_DIGITS) -> str:
    """The code of `now`'s step (what an authenticator app shows)."""
    return hotp(secret, time_step(now), digits)


def normalize_totp_code(typed: str) -> str | None:
    """The code as 6 digits (spaces people type between groups dropped), or None when it
    cannot be a code at all."""
    code = "".join(typed.split())
    return code if len(code) == TOTP_DIGITS and code.isascii() and code.isdigit() else None


def match_totp(secret: bytes, code: str, now: datetime, last_step: int | None) -> int | None:
    """The step `code` belongs to, within one step of now and after `last_step` (the last
    step accepted for the account: that one and earlier ones are replays), or None."""
    current = time_step(now)
    floor = last_step + 1 if last_step is not None else current - TOTP_DRIFT
    for step in range(max(current - TOTP_DRIFT, floor), current + TOTP_DRIFT + 1):
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def encode_secret(secret: bytes) -> str:
    """Base32 without padding: what people type into an app that cannot scan."""
    return base64.b32encode(secret).decode().rstrip("=")


def otpauth_uri(secret: bytes, issuer: str, account: str) -> str:
    """The Key URI Format authenticator apps scan: otpauth://totp/<issuer>:<account>?secret=&issuer=
    (SHA-1, 6 digits and 30 s are the apps' defaults, so they are not repeated)."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='@')}"
    query = urlencode({"secret": encode_secret(secret), "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"
