"""Every failure leaves as {"error", "message"}: domain errors by the table below,
framework errors by status, anything unexpected as a bare 500 (details go to the log)."""

import logging
import re
from collections.abc import Callable

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from application.ports.telemetry import Telemetry
from domain import errors as e
from web.edge.client import client_address
from web.edge.cookies import MFA_CHALLENGE, REFRESH, SID, CookiePolicy
from web.dto import ErrorOut, FieldError
from web.edge.request import ClientDisconnected
from web.serving.server import PAUSE_READING

log = logging.getLogger("sesame.errors")

DOMAIN_ERRORS: dict[type[e.DomainError], tuple[int, str, str]] = {
    e.WeakPassword: (400, "weak_password", "This password is too weak."),
    e.BreachedPassword: (400, "breached_password",
                         "This password appears in known data breaches; choose another one."),
    e.EmailTaken: (409, "email_taken", "An account already uses this email."),
    e.UsernameTaken: (409, "username_taken", "This username is taken."),
    e.PhoneTaken: (409, "phone_taken", "An account already uses this phone number."),
    e.InvalidCredentials: (401, "invalid_credentials", "Wrong email, username or password."),
    e.SocialOnlyAccount: (401, "social_only", "This account signs in with a provider."),
    e.NoRefreshToken: (401, "no_refresh_token", "No refresh token was sent."),
    e.InvalidRefresh: (401, "invalid_refresh", "The refresh token is invalid or expired."),
    e.NotAuthenticated: (401, "not_authenticated", "Sign in first."),
    e.AccountGone: (401, "not_authenticated", "Sign in first."),
    e.RateLimited: (429, "rate_limited", "Too many attempts; retry later."),
    e.AccountLocked: (423, "account_locked", "Too many failed attempts; retry later."),
    e.PasswordWorkBusy: (503, "busy", "The service is busy; retry in a moment."),
    e.NotFound: (404, "not_found", "Nothing here."),
    e.NotLinked: (404, "not_linked", "This provider is not linked to the account."),
    e.LastLoginMethod: (409, "last_login_method", "This is the last way to sign in."),
    e.InvalidToken: (400, "invalid_token", "This link is invalid, used or expired."),
    e.InvalidPassword: (403, "invalid_password", "The password is wrong."),
    e.ProviderNotConfigured: (503, "provider_not_configured", "This provider is not configured."),
    e.ChannelNotConfigured: (503, "channel_not_configured", "WhatsApp messages are not configured on this server."),
    e.NoPhone: (400, "no_phone", "Add a phone number to the profile first."),
    e.AddressNotProven: (403, "email_not_verified", "Verify the account's email address first."),
    e.InvalidCode: (400, "invalid_code", "This code is wrong or expired."),
    e.TooManyAttempts: (429, "too_many_attempts", "Too many wrong codes; ask for a new one."),
    e.MfaRequired: (401, "mfa_required", "Enter the code of your authenticator app, or a recovery code."),
    e.MfaChallengeExpired: (401, "mfa_challenge_expired", "This sign-in has expired; sign in again."),
    e.MfaAlreadyEnabled: (409, "mfa_already_enabled", "Two-step verification is on already."),
    e.MfaSetupNotStarted: (409, "mfa_setup_not_started", "Set up two-step verification first."),
    e.MfaNotEnabled: (404, "mfa_not_enabled", "Two-step verification is not on."),
    e.ReauthRequired: (403, "reauth_required", "Confirm it is you to do this."),
    # 400 on registration; the sign-in answers it as 401 (web.controllers.passkeys).
    e.InvalidPasskey: (400, "invalid_passkey", "This passkey answer was refused."),
    e.PasskeyExists: (409, "passkey_exists", "This passkey is registered already."),
}
# A refused refresh clears the refresh cookie, so the browser stops retrying it.
CLEARS_REFRESH = (e.NoRefreshToken, e.InvalidRefresh)
# An account deleted while the request ran: its session is dead, so both cookies go.
CLEARS_SESSION = (e.AccountGone,)
# A challenge that cannot be answered any more is cleared, so the browser signs in again.
CLEARS_MFA_CHALLENGE = (e.MfaChallengeExpired,)
# A refusal for a while says for how long.
RETRY_AFTER = (e.RateLimited, e.AccountLocked, e.PasswordWorkBusy)

_STATUS_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    415: "invalid_request",
    429: "rate_limited",
}

# Litestar's own 400 is a body that does not decode (validation errors come separately).
_BODY_ERRORS = {400: "is not valid JSON", 413: "is too large"}


# Exception handlers bypass the app-level response headers: set them here too.
ERROR_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def error_response(status: int, code: str, message: str, **extra: object) -> Response[ErrorOut]:
    return Response(ErrorOut(error=code, message=message, **extra), status_code=status,
                    media_type=MediaType.JSON, headers=dict(ERROR_HEADERS))


def make_exception_handlers(
    cookies: CookiePolicy,
    database_errors: tuple[type[Exception], ...] = (),
    database_unavailable: Callable[[Exception], bool] = lambda _: True,
    schema_behind: Callable[[Exception], bool] = lambda _: False,
    telemetry: Telemetry | None = None,
) -> dict:
    """`database_errors`: what the database adapter raises; `database_unavailable` tells
    which of those mean it cannot be reached, and `schema_behind` which met a schema not
    migrated yet (both 503 not_ready), rather than a bug (500). `telemetry` is told each
    refusal for a while (429 rate_limited, 503 busy), whichever route answered it."""

    def database_error(request: Request, exc: Exception) -> Response:
        if database_unavailable(exc):
            return not_ready(request, exc)
        if schema_behind(exc):
            return not_migrated(request, exc)
        return internal_error(request, exc)

    def domain_error(request: Request, exc: e.DomainError) -> Response:
        if isinstance(exc, e.InvalidInput):
            return invalid_request([FieldError(exc.field, exc.message)])
        if type(exc) not in DOMAIN_ERRORS:  # a rule without an HTTP answer is our bug
            return internal_error(request, exc)
        status, code, default_message = DOMAIN_ERRORS[type(exc)]
        # The messages of these two are for the log: the contract's sentence is the answer's.
        message = default_message if isinstance(exc, e.MfaRequired | e.ReauthRequired) or not exc.args else str(exc)
        response = error_response(status, code, message, **_extra(exc))
        if isinstance(exc, e.MfaRequired):  # the challenge instead of a session
            cookies.set_mfa_challenge(response, exc.challenge_token, exc.expires_at)
        if isinstance(exc, CLEARS_MFA_CHALLENGE):
            cookies.clear(response, MFA_CHALLENGE)
        if isinstance(exc, CLEARS_REFRESH):
            cookies.clear(response, REFRESH)
        if isinstance(exc, CLEARS_SESSION):
            cookies.clear(response, SID, REFRESH)
        if isinstance(exc, RETRY_AFTER):
            response.headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, e.PasswordWorkBusy):  # web/serving/server.py: not read again before then
            request.scope[PAUSE_READING] = exc.retry_after  # type: ignore[literal-required]
        if telemetry is not None and isinstance(exc, (e.RateLimited, e.PasswordWorkBusy)):
            ip = client_address(request.client.host if request.client else None)
            telemetry.refused("rate_limited" if isinstance(exc, e.RateLimited) else "busy", ip)
        return response

    return {
        **{error: database_error for error in database_errors},
        e.DomainError: domain_error,
        ValidationException: validation_error,
        ClientDisconnected: client_disconnected,
        HTTPException: http_error,
        UnicodeDecodeError: undecodable_body,
        HTTP_500_INTERNAL_SERVER_ERROR: internal_error,
        Exception: internal_error,
    }


def _extra(exc: e.DomainError) -> dict:
    """The fields an error adds to {"error", "message"}: what the client can do next."""
    if isinstance(exc, e.SocialOnlyAccount):
        return {"providers": list(exc.providers)}
    if isinstance(exc, e.MfaRequired | e.ReauthRequired):
        return {"methods": list(exc.methods)}
    return {}


def invalid_request(fields: list[FieldError], message: str = "The request is invalid.") -> Response:
    return error_response(400, "invalid_request", message, fields=fields)


def validation_error(request: Request, exc: ValidationException) -> Response:
    fields = [_field_error(request, item) for item in exc.extra or [] if isinstance(item, dict)]
    if not fields:  # malformed JSON, or a body that is not an object
        return invalid_request([], "The body must be a JSON object.")
    return invalid_request(fields)


def http_error(_: Request, exc: HTTPException) -> Response:
    if exc.status_code >= 500:
        return internal_error(_, exc)
    if exc.status_code in _BODY_ERRORS:
        return invalid_request([FieldError("body", _BODY_ERRORS[exc.status_code])], "The body is invalid.")
    code = _STATUS_CODES.get(exc.status_code, "invalid_request")
    # An unknown path says it in the words of the routes' own not_found.
    message = DOMAIN_ERRORS[e.NotFound][2] if exc.status_code == 404 else exc.detail
    response = error_response(exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def client_disconnected(_: Request, exc: ClientDisconnected) -> Response:
    # Routine (a closed tab, a lost network, our own deadline): one line, no traceback.
    # The answer goes nowhere; it only closes the exchange.
    log.info("client disconnected before its body arrived")
    return invalid_request([FieldError("body", "did not arrive")], "The body is invalid.")


def undecodable_body(_: Request, exc: UnicodeDecodeError) -> Response:
    return invalid_request([FieldError("body", "is not valid UTF-8")], "The body is invalid.")


def not_ready(_: Request, exc: Exception) -> Response:
    # One line, no traceback: the database is down, not our code (and recovery is automatic).
    log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
    return error_response(503, "not_ready", "The database does not answer.")


def not_migrated(_: Request, exc: Exception) -> Response:
    # One line, no traceback: an operator step is missing, not our code (readiness says it too).
    log.warning("database schema not migrated yet: %s: %s", type(exc).__name__, exc)
    return error_response(503, "not_ready", "The database schema is not migrated to this version.")


def internal_error(_: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "server", "Something went wrong on our side.")


# msgspec says e.g. "Expected `str` of length <= 254" or "Object missing required field `x`".
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")
_REWRITES = [
    (re.compile(r"Expected `str` of length <= (\d+)"), r"must be at most \1 characters"),
    (re.compile(r"Expected `str` of length >= (\d+)"), r"must be at least \1 characters"),
    (re.compile(r"Expected `(\w+)(?: \| null)?`, got `\w+`"), r"must be of type \1"),
    (re.compile(r"Object contains unknown field"), "is not allowed"),
    (re.compile(r"Object missing required field"), "is required"),
    (re.compile(r"Expected `(?:int|float)` >= (-?[\d.]+)"), r"must be at least \1"),
    (re.compile(r"Expected `(?:int|float)` <= (-?[\d.]+)"), r"must be at most \1"),
]


# A number out of its declared bounds ("Expected `int` >= 1"): the answer says both bounds.
_OUT_OF_BOUNDS = re.compile(r"Expected `(int|float)` [<>]=? -?[\d.]+")


def _field_error(request: Request, item: dict) -> FieldError:
    raw = str(item.get("message", ""))
    named = _FIELD_IN_MESSAGE.search(raw)
    key = str(item.get("key", "body")).removeprefix("$.")
    field = named.group(1) if named else ("body" if key == "data" else key)
    if _OUT_OF_BOUNDS.search(raw) and (bounds := _declared_bounds(request, field)):
        return FieldError(field, f"must be between {bounds[0]} and {bounds[1]}")
    for pattern, replacement in _REWRITES:
        if pattern.search(raw):
            return FieldError(field, pattern.sub(replacement, raw).split(" - ")[0].split(" `")[0])
    return FieldError(field, "is invalid")


def _declared_bounds(request: Request, name: str) -> tuple[object, object] | None:
    """The ge/le a route declares for its parameter `name` (e.g. /auth/events' `limit`)."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get(name)
    declared = getattr(parameter, "kwarg_definition", None)
    low, high = getattr(declared, "ge", None), getattr(declared, "le", None)
    return (low, high) if low is not None and high is not None else None
