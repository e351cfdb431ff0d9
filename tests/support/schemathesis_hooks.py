"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks) for the conformance run.

- Every generated request comes from its own documentation-range address (uvicorn trusts
  X-Forwarded-For from loopback), so the per-address login and register limits never see
  the fuzzer as one client.
- With SESAME_SESSION=1, every request carries the cookies of a registered user; when a
  request ends that session (logout, a refused refresh), the next one signs in anew.
- `filter_failure` drops the refusals of schema-valid data by a rule that JSON Schema
  cannot state (or a header no schema asks for): the one place where a failure is
  tolerated, each with its reason.
"""

import json
import os
import unicodedata
import uuid

import requests
import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

from tests.e2e.conftest import client_address

BASE_URL = os.environ.get("SESAME_URL", "")
WITH_SESSION = os.environ.get("SESAME_SESSION") == "1"
SESSION_COOKIES = ("sid", "refresh_token")
_session: dict[str, str] = {}


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


# The domain's rules that JSON Schema cannot state, by the message the API gives for them:
# its regexes have no Unicode categories, count characters rather than bytes, and know
# nothing of Unicode normalisation or IDNA. Each is documented in the field's description.
BEYOND_SCHEMA = {
    "must not contain control, format or invisible characters",  # Unicode categories
    "has a domain that is not a valid domain name",  # IDNA
    "must be at most 254 characters once encoded",  # punycode makes a domain longer
    "must be at most 256 bytes",  # UTF-8 bytes
    "is not a valid phone number",  # each country's numbering plan
}


def _answer(response) -> dict:
    try:
        answer = json.loads(response.content)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but the refusals of schema-valid data by a rule beyond the schema."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    answer = _answer(response)
    if answer.get("message") == "The body must be JSON." and _form_without_origin(case):
        return False  # the HTML-form login needs a browser's Origin, which no schema states
    if answer.get("error") == "weak_password":  # a common password: documented 400
        return False
    if answer.get("error") == "invalid_token":  # only a mailed link's token opens it: documented 400
        return False
    if answer.get("error") == "invalid_code":  # only the WhatsApp code sent opens it: documented 400
        return False
    fields = answer.get("fields") or []
    return not fields or not all(_beyond_schema(case, f.get("field"), f.get("message")) for f in fields)


def _form_without_origin(case) -> bool:
    headers = {name.lower(): value for name, value in (case.headers or {}).items()}
    return case.media_type == "application/x-www-form-urlencoded" and "origin" not in headers


def _beyond_schema(case, field: str, message: str) -> bool:
    if message in BEYOND_SCHEMA:
        return True
    # An email the schema's pattern accepts may be refused once NFKC-folded (U+FE6B is an "@").
    value = case.body.get(field) if isinstance(case.body, dict) else None
    return (message == "is not a valid email address" and isinstance(value, str)
            and unicodedata.normalize("NFKC", value) != value)
