"""The OpenAPI schema says exactly what each route answers (the Next.js client is generated from it).

A route declares its own failures by contract code (`responses=failures("invalid_credentials",
...)`) and the cookies it sets (`response_headers=[sets_cookies(...)]`); request bodies document
themselves (BodySchemaPlugin). `complete_schema` then writes what Litestar cannot declare per
route: the contract's error shape with each status's codes and real examples, Retry-After and
cookie-clearing headers, the request guard's answers on every unsafe method, and no trace of
Litestar's default error shape, which is never served.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from litestar import Litestar
from litestar.datastructures import ResponseHeader
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    Example, OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, Operation, Reference, Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin  # Litestar's own, extended
from msgspec import Struct, structs

from application.policy import FreshnessPolicy
from domain import errors as e
from web.edge.cookies import DEVICE_MAX_AGE, REFRESH
from web.dto import Body
from web.errors import CLEARS_REFRESH, DOMAIN_ERRORS, RETRY_AFTER
from web.edge.form_login import FORM, FORM_LOGIN
from web.edge.request_guard import UNSAFE_METHODS


@dataclass(frozen=True, slots=True)
class Failure:
    """One error answer of the contract, with a real example of its body."""

    status: int
    code: str
    message: str
    extra: dict = field(default_factory=dict)

    @property
    def example(self) -> dict:
        return {"error": self.code, "message": self.message, **self.extra}


def _catalog() -> dict[str, Failure]:
    failures = {code: Failure(status, code, message) for status, code, message in DOMAIN_ERRORS.values()}
    for failure in [
        Failure(400, "invalid_request", "The request is invalid.",
                {"fields": [{"field": "email", "message": "is not a valid email address"}]}),
        Failure(401, "social_only", "this account signs in with google", {"providers": ["google"]}),
        Failure(403, "forbidden_origin", "This origin may not call the API."),
        Failure(401, "mfa_required", DOMAIN_ERRORS[e.MfaRequired][2], {"methods": ["totp", "recovery_code"]}),
        Failure(403, "reauth_required", DOMAIN_ERRORS[e.ReauthRequired][2], {"methods": ["password", "totp"]}),
        Failure(503, "not_ready", "The database does not answer."),
    ]:
        failures[failure.code] = failure
    return failures


FAILURES = _catalog()
_RETRY_AFTER = frozenset(DOMAIN_ERRORS[t][1] for t in RETRY_AFTER)
_CLEARS_REFRESH = frozenset(DOMAIN_ERRORS[t][1] for t in CLEARS_REFRESH)
# What the request guard (web.edge.request_guard) may answer to any of its UNSAFE_METHODS:
# a foreign Origin, or a body that is not JSON.
_GUARD = ("forbidden_origin", "invalid_request")


@dataclass
class Failures(ResponseSpec):
    """The failures of one status, by contract code (completed by complete_schema)."""

    codes: tuple[str, ...] = ()


def failures(*codes: str) -> dict[int, ResponseSpec]:
    """`responses=` for a route: its failures by contract code, grouped by status."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(FAILURES[code].status, []).append(code)
    return {
        status: Failures(data_container=None, generate_examples=False, codes=tuple(group))
        for status, group in by_status.items()
    }


_UNITS = (("day", timedelta(days=1)), ("hour", timedelta(hours=1)), ("minute", timedelta(minutes=1)))


def spell(duration: timedelta) -> str:
    """A policy's duration as route descriptions write it ("15 minutes", "24 hours", "7 days"),
    so that a description reads its numbers from the policy instead of repeating them."""
    for unit, size in _UNITS:
        count, rest = divmod(duration, size)
        if not rest and (count > 1 or (count == 1 and unit != "day")):
            return f"{count} {unit}{'s' * (count > 1)}"
    return f"{int(duration.total_seconds())} seconds"


# The one sentence of every sensitive route (application.services.freshness), its figure read
# from the policy.
FRESH_AUTHENTICATION = (
    f"Needs a sign-in of this session within REAUTH_MAX_AGE (default {spell(FreshnessPolicy().max_age)}): "
    "else 403 `reauth_required` with the `methods` this account can use (`POST /auth/reauth`, or "
    "`GET /auth/{provider}?reauth=true`)."
)


def per(duration: timedelta) -> str:
    """A policy's window as a rate: "a minute", "an hour", "a day", else "per 15 minutes"."""
    return {timedelta(minutes=1): "a minute", timedelta(hours=1): "an hour",
            timedelta(days=1): "a day"}.get(duration, f"per {spell(duration)}")


def sets_cookies(description: str, *, always: bool = True) -> ResponseHeader:
    """`response_headers=` entry documenting the Set-Cookie headers of a success answer."""
    # documentation_only: never sent as such; value "" only gives the header a string schema.
    return ResponseHeader(name="Set-Cookie", value="", documentation_only=True,
                          description=description, required=always)


SESSION_COOKIES = (
    "New `sid` (the session: HttpOnly, Path=/, Max-Age=SESSION_TTL) and new `refresh_token` "
    "(HttpOnly, Path=/auth, Max-Age up to REFRESH_TTL)."
)
DEVICE_COOKIE = (
    f"`device` (HttpOnly, Path=/auth, Max-Age={DEVICE_MAX_AGE}): marks this browser as one that signed in "
    "to the account, so failed passwords typed in other browsers do not lock it out; not set "
    "again when the browser already holds a valid one for that account."
)
SIGN_IN_COOKIES = SESSION_COOKIES + " " + DEVICE_COOKIE


# Absent, "" or null: an optional text field that is not given.
_NOT_GIVEN = Schema(one_of=[Schema(const=""), Schema(type=OpenAPIType.NULL)])


class BodySchemaPlugin(StructSchemaPlugin):
    """Request bodies refuse unknown fields, so their schemas say additionalProperties: false;
    a body that needs one of several fields says which one counts with oneOf (one branch per
    field: given, and the fields before it, or all the others when only one may be or that
    field comes alone, not given); a body's example is shown."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and field_definition.is_subclass_of(Body)

    def to_openapi_schema(self, field_definition, schema_creator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)  # the component itself
        body: type[Struct] = field_definition.type_
        schema.additional_properties = not body.__struct_config__.forbid_unknown_fields
        if body.example is not None:
            schema.examples = [body.example]
        names = body.one_of_required
        objects = {f.encode_name for f in structs.fields(body) if _is_object(f.type)}
        schema.one_of = [_given(body, i, objects) for i in range(len(names))] or None
        return schema


def _given(body: type[Body], index: int, objects: set[str]) -> Schema:
    """The branch where `names[index]` is the field given (a non-empty string, or an object
    for the fields in `objects`); a field that comes `alone` is given in its branch only."""
    names = body.one_of_required
    name = names[index]
    if body.exactly_one or name in body.alone:
        others = names[:index] + names[index + 1:]
    else:
        others = names[:index] + tuple(n for n in names[index + 1:] if n in body.alone)
    given = (Schema(type=OpenAPIType.OBJECT, additional_properties=True) if name in objects  # any members
             else Schema(type=OpenAPIType.STRING, min_length=1))
    return Schema(required=[name], properties={name: given, **{other: _NOT_GIVEN for other in others}})


def _is_object(annotation: object) -> bool:
    """A field typed as a JSON object (a dict, optional or not, annotated or not)."""
    return any(get_origin(arg) is dict or arg is dict for arg in _flatten(annotation))


def _flatten(annotation: object) -> list[object]:
    if get_origin(annotation) is Annotated:
        return _flatten(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _flatten(arg)]
    return [annotation]


def complete_schema(app: Litestar) -> None:
    """Write each operation's error answers in the contract's shape (see the module docstring).

    Called by create_app: Litestar builds the schema object once and serves that object, so
    what is written here is what /schema/openapi.json shows."""
    openapi = app.openapi_schema
    openapi.components.schemas.setdefault("FieldError", _FIELD_ERROR)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if not handler.resolve_include_in_schema():
                continue
            operation = getattr(openapi.paths[route.path_format], method.lower())
            _complete_operation(operation, method, handler.responses or {})
            if handler.opt.get(FORM_LOGIN):
                _accept_form(operation)


def _complete_operation(operation: Operation, method: str, declared: dict) -> None:
    _complete_parameters(operation)
    _complete_redirects(operation)
    # A code declared under another status than its usual one is answered with that status
    # there (a passkey sign-in refuses as 401 what a registration refuses as 400).
    failures = [
        replace(FAILURES[code], status=status)
        for status, spec in declared.items() if isinstance(spec, Failures) for code in spec.codes
    ]
    if method in UNSAFE_METHODS:
        failures += [FAILURES[code] for code in _GUARD if code not in {f.code for f in failures}]
    by_status: dict[int, list[Failure]] = {}
    for failure in failures:
        by_status.setdefault(failure.status, []).append(failure)
    responses = operation.responses or {}
    for status in [s for s in responses if s.startswith(("4", "5"))]:
        del responses[status]  # Litestar's own error shape: never served
    for status, group in sorted(by_status.items()):
        responses[str(status)] = _error_response(group)
    operation.responses = responses


def _complete_parameters(operation: Operation) -> None:
    """An optional parameter is absent or a string, never null (a cookie cannot be null)."""
    for parameter in operation.parameters or []:
        schema = getattr(parameter, "schema", None)
        if isinstance(schema, Schema) and schema.one_of and len(schema.one_of) == 2:
            kept = [s for s in schema.one_of if not (isinstance(s, Schema) and s.type == OpenAPIType.NULL)]
            if len(kept) == 1 and isinstance(kept[0], Schema):
                schema.type, schema.one_of = kept[0].type, None


def _complete_redirects(operation: Operation) -> None:
    """A redirect always says where to: Location, required (and no body)."""
    for status, response in (operation.responses or {}).items():
        if status.startswith("3") and isinstance(response, OpenAPIResponse) and response.headers:
            response.headers.pop("location", None)
            response.headers["Location"] = OpenAPIHeader(
                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.URI),
                description="Where the browser goes next (an absolute URL).",
                required=True,
            )


def _accept_form(operation: Operation) -> None:
    """The HTML-form login: the same fields form-encoded, answered by a 303 (web.edge.form_login)."""
    content = operation.request_body.content
    content[FORM] = OpenAPIMediaType(schema=content["application/json"].schema)
    operation.responses["303"] = OpenAPIResponse(
        description="Form posts only: to the frontend's `/dashboard` or "
        "`/auth/finish?from=local&complete=false` (signed in, with the session and device cookies), "
        "`/auth/finish?from=social&providers=...` (a social-only account), "
        "`/auth/mfa?methods=totp,recovery_code` (the password is right, two-step verification is on: "
        "with the `mfa_challenge` cookie alone), or "
        "`/auth/login?error=<code>` (any other failure).",
        headers={
            "Location": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.URI),
                description="Where the browser goes next (an absolute URL).", required=True,
            ),
            "Set-Cookie": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.STRING),
                description="When signed in: " + SIGN_IN_COOKIES + " Before a second step: `mfa_challenge` alone.",
            ),
        },
    )


_FIELD_ERROR = Schema(
    type=OpenAPIType.OBJECT,
    required=["field", "message"],
    properties={"field": Schema(type=OpenAPIType.STRING), "message": Schema(type=OpenAPIType.STRING)},
    additional_properties=False,
)


# What answers a refusal that asks for more proof.
_METHODS = {
    "mfa_required": "what may answer the second step (`totp`, `recovery_code`).",
    "reauth_required": "what this account can re-authenticate with (`password`, `totp`, its providers' names).",
}
_MFA_COOKIE = {
    "mfa_required": "`mfa_challenge` (HttpOnly, Path=/auth, Max-Age=300, single use), and no session cookie.",
    "mfa_challenge_expired": "Clears `mfa_challenge` (empty value, Max-Age=0, Path=/auth).",
}


def _error_response(group: list[Failure]) -> OpenAPIResponse:
    codes = [f.code for f in group]
    properties = {
        "error": Schema(type=OpenAPIType.STRING, enum=codes),
        "message": Schema(type=OpenAPIType.STRING, description="A sentence for people."),
    }
    required = ["error", "message"]
    if "invalid_request" in codes:
        properties["fields"] = Schema(
            type=OpenAPIType.ARRAY, items=Reference(ref="#/components/schemas/FieldError"),
            description="With `invalid_request`: which fields are wrong and why.",
        )
    if "social_only" in codes:
        properties["providers"] = Schema(
            type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING),
            description="With `social_only`: the providers the account signs in with.",
        )
    if methods := [c for c in codes if c in _METHODS]:
        properties["methods"] = Schema(
            type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING),
            description=f"With `{'` or `'.join(methods)}`: {' '.join(_METHODS[c] for c in methods)}",
        )
    headers = {}
    if mfa := [c for c in codes if c in _MFA_COOKIE]:
        headers["Set-Cookie"] = OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING), description=" ".join(_MFA_COOKIE[c] for c in mfa),
            required=len(mfa) == len(codes),
        )
    if retry_after := [c for c in codes if c in _RETRY_AFTER]:
        headers["Retry-After"] = OpenAPIHeader(
            schema=Schema(type=OpenAPIType.INTEGER, minimum=1),
            description="Seconds to wait before trying again.",
            required=len(retry_after) == len(codes),
        )
    if clears := [c for c in codes if c in _CLEARS_REFRESH]:
        headers["Set-Cookie"] = OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING),
            description=f"Clears `{REFRESH}` (empty value, Max-Age=0, Path=/auth).",
            required=len(clears) == len(codes),
        )
    schema = Schema(type=OpenAPIType.OBJECT, required=required, properties=properties, additional_properties=False)
    return OpenAPIResponse(
        description="\n".join(f"`{f.code}`: {f.message}" for f in group),
        content={"application/json": OpenAPIMediaType(
            schema=schema,
            examples={f.code: Example(summary=f.code, value=f.example) for f in group},
        )},
        headers=headers or None,
    )
