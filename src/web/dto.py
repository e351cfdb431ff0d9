"""Wire shapes of the HTTP contract (docs/api.md): camelCase JSON, unknown fields refused.

Length caps here are coarse guards (a 1 MB "email" never reaches the domain); the domain
owns the precise rules and their messages. The patterns are documentation only (msgspec
does not enforce them), so that the schema states the domain's rules and a refused value
still gets the domain's own message.
"""

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType, structs

from domain.activity import EventKind, SecurityEvent
from domain.codes import CODE_DIGITS
from domain.credentials import (
    MAX_EMAIL, MAX_NAME, MAX_PASSWORD_BYTES, MAX_USERNAME, MIN_PASSWORD_CHARS, MIN_USERNAME,
)
from domain.ownership import Undo
from domain.passkeys import Passkey
from domain.profile import MAX_PHOTO_URL, MAX_TYPED_PHONE
from domain.users import User

# Controls (C0, C1), the usual format characters (soft hyphen, zero widths, bidi controls,
# word joiners, BOM) and line/paragraph separators: the part of the domain's "characters
# nobody sees" that a regex can list (see _VISIBLE for the rest).
_UNSEEN = r"\x00-\x1f\x7f-\x9f\xad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
_PRINTABLE = rf"^[^{_UNSEEN}]*$"
# Nor "@" or whitespace (Python's \s, which JSON Schema's \s does not match) in an email.
_NOT_IN_EMAIL = rf"@{_UNSEEN}\x20\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"


# What the pattern cannot say (JSON Schema regexes have no Unicode categories):
_VISIBLE = ("Characters nobody sees are refused with 400 `invalid_request`: Unicode categories "
            "Cc, Cf, Cs, Co, Cn, Zl, Zp and blank fillers.")


def _documented(description: str, pattern: str | None = None, schema: dict | None = None,
                **constraints) -> Meta:
    """`constraints` are enforced by msgspec; `pattern` and `schema` (more JSON Schema keywords)
    only state a rule that the domain enforces with its own answer."""
    extra = {**({"pattern": pattern} if pattern else {}), **(schema or {})}
    documented = {"description": description, **({"extra": extra} if extra else {})}
    return Meta(**constraints, extra_json_schema=documented)


Email = Annotated[str, _documented(
    "An email address, compared case-insensitively; stored in NFC with its domain NFKC-folded "
    "and IDNA-encoded (a domain IDNA refuses is 400). " + _VISIBLE,
    rf"^[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}.]{{1,63}}(\.[^{_NOT_IN_EMAIL}.]{{1,63}})+$",
    max_length=MAX_EMAIL,
)]
Identifier = Annotated[str, _documented(
    "An email or a username. " + _VISIBLE, _PRINTABLE, max_length=MAX_EMAIL
)]
LoginEmail = Annotated[str, _documented(
    "Accepted in place of `emailOrUsername` (older clients send it). " + _VISIBLE, _PRINTABLE,
    max_length=MAX_EMAIL,
)]
# JSON Schema counts characters, the rule counts UTF-8 bytes: the description says so.
Password = Annotated[str, _documented(
    f"At most {MAX_PASSWORD_BYTES} bytes once UTF-8 encoded.", max_length=MAX_PASSWORD_BYTES
)]
# minLength is documented, not enforced here: a short password is 400 weak_password.
NewPassword = Annotated[str, _documented(
    f"At most {MAX_PASSWORD_BYTES} bytes once UTF-8 encoded. A password under {MIN_PASSWORD_CHARS} "
    "characters or a common one is refused with 400 `weak_password`; with `PASSWORD_BREACH_CHECK` on, "
    "one found in known data breaches with 400 `breached_password`.",
    schema={"minLength": MIN_PASSWORD_CHARS}, max_length=MAX_PASSWORD_BYTES,
)]
Name = Annotated[str, _documented(
    '`""` means not given. ' + _VISIBLE, _PRINTABLE, max_length=MAX_NAME
)]
# A username, or "" for none: oneOf says both, so that minLength can be stated.
Username = Annotated[str, _documented(
    f"{MIN_USERNAME} to {MAX_USERNAME} letters, digits, dots, dashes or underscores, starting with a "
    'letter or a digit; `""` means not given.',
    schema={"oneOf": [
        {"type": "string", "minLength": MIN_USERNAME, "maxLength": MAX_USERNAME,
         "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"},
        {"const": ""},
        {"type": "null"},
    ]},
    max_length=MAX_USERNAME,
)]


class Body(Struct, forbid_unknown_fields=True, rename="camel"):
    """A request body: an unknown field is refused (the schema says additionalProperties: false)."""

    # Fields of which at least one must be given (a non-empty string, or an object), the first given being used
    # (documented as oneOf); with `exactly_one`, exactly one may be given.
    one_of_required: ClassVar[tuple[str, ...]] = ()
    exactly_one: ClassVar[bool] = False
    alone: ClassVar[tuple[str, ...]] = ()  # of `one_of_required`, those given with no other
    example: ClassVar[dict | None] = None  # a real body, for the docs (and schemathesis)

    @classmethod
    def missing(cls, value: dict) -> list[str]:
        """The required fields absent from a decoded body, by their JSON names, in order; then
        the first of `one_of_required` when none is given (unless `exactly_one`: the use case
        says "give one or the other")."""
        names = [f.encode_name for f in structs.fields(cls) if f.required and f.encode_name not in value]
        if cls.one_of_required and not cls.exactly_one and all(value.get(n) in (None, "") for n in cls.one_of_required):
            names.append(cls.one_of_required[0])
        return names


class RegisterBody(Body):
    email: Email
    password: NewPassword
    firstname: Name | None = None
    lastname: Name | None = None
    username: Username | None = None

    example: ClassVar[dict | None] = {
        "email": "ada@example.com", "password": "correct-horse-battery-42",
        "firstname": "Ada", "lastname": "Lovelace", "username": "ada.lovelace",
    }


class LoginBody(Body):
    password: Password
    email_or_username: Identifier | None = None
    email: LoginEmail | None = None  # accepted in place of emailOrUsername

    one_of_required: ClassVar[tuple[str, ...]] = ("emailOrUsername", "email")
    example: ClassVar[dict | None] = {"emailOrUsername": "ada.lovelace", "password": "correct-horse-battery-42"}


PhoneNumber = Annotated[str, _documented(
    'As typed ("06 12 34 56 78", "+33 6 12 34 56 78"); a number without "+" is read for '
    "DEFAULT_PHONE_REGION. Stored and answered in E.164; an invalid number is 400. "
    '`""` means not given, `null` removes the number.',
    r"^[0-9+ ().-]*$", max_length=MAX_TYPED_PHONE,
)]
# The pattern states the rule for ASCII host names and IPv4 addresses; the domain also
# accepts Unicode (IDNA) host names and [IPv6] literals, which a regex cannot check.
_DNS_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # a last label of digits reads as IPv4
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The quote goes in unescaped: ECMA-262 regexes in u mode refuse "\"".
_URL_REST = r"(:[0-9]{1,4})?([/?#][^\s" + '"' + r"'<>\\^`{|}]*)?"
PhotoUrl = Annotated[str, _documented(
    "An https URL whose host is a DNS name (letter, digit and hyphen labels; Unicode names "
    "as IDNA allows) or an IP address ([IPv6] in brackets), without credentials, spaces, "
    "quotes, control characters or the characters a URL must percent-encode "
    "(http://localhost and http://127.0.0.1 are accepted in development). Anything else is "
    '400 `invalid_request` naming `photo`. `""` means not given, `null` removes the photo.',
    # "\/": the docs page embeds the schema, and holds no outside URL (not even in a pattern).
    rf"^(https:\/\/(({_DNS_LABEL}\.)*{_TOP_LABEL}|({_OCTET}\.){{3}}{_OCTET}){_URL_REST}"
    rf"|http:\/\/(localhost|127\.0\.0\.1){_URL_REST})?$",
    max_length=MAX_PHOTO_URL,
)]
Locale = Annotated[str, _documented(
    'The language of messages: `fr` or `en`. `""` means not given, `null` removes it.',
    "^(fr|en)?$", max_length=2,
)]
Code = Annotated[str, _documented(f"The {CODE_DIGITS} digits received by WhatsApp.", max_length=32)]


class ProfileBody(Body):
    """Absent or `""`: unchanged. `null` clears username, phoneNumber, photo or locale;
    a first or last name can be replaced, not removed (null is refused)."""

    firstname: Name | UnsetType = UNSET
    lastname: Name | UnsetType = UNSET
    username: Username | None | UnsetType = UNSET
    phone_number: PhoneNumber | None | UnsetType = UNSET
    photo: PhotoUrl | None | UnsetType = UNSET
    locale: Locale | None | UnsetType = UNSET

    example: ClassVar[dict | None] = {
        "firstname": "Ada", "lastname": "Lovelace", "username": "ada.lovelace",
        "phoneNumber": "+33 6 12 34 56 78", "photo": "https://localhost/ada.png", "locale": "en",
    }


class PhoneCodeBody(Body):
    code: Code

    example: ClassVar[dict | None] = {"code": "123456"}


EmailLink = Annotated[str, _documented(
    "The `token` query parameter of the link in the email (URL-safe). An unknown, used, "
    "expired or other-purpose token is refused with 400 `invalid_token`.",
    r"^[A-Za-z0-9_-]*$", max_length=128,
)]


class EmailChangeBody(Body):
    email: Email
    password: Password | None = None  # required when the account has a password

    example: ClassVar[dict | None] = {"email": "new.ada@example.com", "password": "correct-horse-battery-42"}


class VerifyEmailBody(Body):
    token: EmailLink

    example: ClassVar[dict | None] = {"token": "q5Xo0gGx3vSkqg4y1kQ7sHk0b3mD2cJfYt8rWc9eVhA"}


class AccountLinkBody(Body):
    """The token of a "not you?" link (/auth/secure-account) or an unlock link (/auth/unlock)."""

    token: EmailLink

    example: ClassVar[dict | None] = {"token": "q5Xo0gGx3vSkqg4y1kQ7sHk0b3mD2cJfYt8rWc9eVhA"}


RecoveryPhone = Annotated[str, _documented(
    'The account\'s verified number, as typed ("06 12 34 56 78", "+33 6 12 34 56 78"); a number '
    'without "+" is read for DEFAULT_PHONE_REGION. An invalid number is 400.',
    r"^[0-9+ ().-]*$", max_length=MAX_TYPED_PHONE,
)]
ResetToken = Annotated[str, _documented(
    "The `token` of the mailed reset link, or the `resetToken` given by /auth/verify-phone. An "
    "unknown, used, expired or other-purpose token is refused with 400 `invalid_token`.",
    r"^[A-Za-z0-9_-]*$", max_length=128,
)]


class ForgotPasswordBody(Body):
    """Exactly one of the two (both is 400)."""

    email: Email | None = None
    phone_number: RecoveryPhone | None = None

    one_of_required: ClassVar[tuple[str, ...]] = ("email", "phoneNumber")
    exactly_one: ClassVar[bool] = True
    example: ClassVar[dict | None] = {"email": "ada@example.com"}


class VerifyResetCodeBody(Body):
    phone_number: RecoveryPhone
    code: Code

    example: ClassVar[dict | None] = {"phoneNumber": "+33 6 12 34 56 78", "code": "123456"}


class ResetPasswordBody(Body):
    token: ResetToken
    password: NewPassword

    example: ClassVar[dict | None] = {
        "token": "q5Xo0gGx3vSkqg4y1kQ7sHk0b3mD2cJfYt8rWc9eVhA", "password": "correct-horse-battery-43",
    }


class ChangePasswordBody(Body):
    new_password: NewPassword
    current_password: Password | None = None  # required when the account has a password

    example: ClassVar[dict | None] = {
        "currentPassword": "correct-horse-battery-42", "newPassword": "correct-horse-battery-43",
    }


class ResetTokenOut(Struct, rename="camel"):
    reset_token: str


class ProfileOut(Struct):
    firstname: str | None
    lastname: str | None
    photo: str | None
    locale: str | None


class UserOut(Struct, rename="camel"):
    id: UUID
    email: str | None
    email_verified: bool
    username: str | None
    phone_number: str | None
    phone_verified: bool
    has_password: bool
    providers: list[str]
    profile: ProfileOut
    required_actions: list[str]
    created_at: datetime
    mfa_enabled: Annotated[bool, Meta(description="Two-step verification is on")]

    @classmethod
    def of(cls, user: User) -> "UserOut":
        p = user.profile
        return cls(
            id=user.id,
            email=user.email,
            email_verified=user.email_verified,
            username=user.username,
            phone_number=user.phone_number,
            phone_verified=user.phone_verified,
            has_password=user.has_password,
            providers=list(user.providers),
            profile=ProfileOut(p.firstname, p.lastname, p.photo, p.locale),
            required_actions=user.required_actions(),
            created_at=user.created_at,
            mfa_enabled=user.mfa_enabled,
        )


class MeOut(Struct):
    user: UserOut | None


class RegisterOut(Struct, kw_only=True):
    ok: bool = True
    user: UserOut


class LoginOut(Struct, kw_only=True, rename="camel"):
    ok: bool = True
    user: UserOut
    profile_complete: bool
    # Present only when this login linked a provider (a pending link of this browser).
    linked_provider: str | UnsetType = UNSET


class UserEnvelopeOut(Struct):
    user: UserOut


class UserOkOut(Struct, kw_only=True):
    ok: bool = True
    user: UserOut


class OkOut(Struct):
    ok: bool = True


class UndoneOut(Struct, kw_only=True, rename="camel"):
    """What a "not you?" click took back: providers linked since the notice's event, a phone
    number set or verified since, a pending email change, the email itself (masked), the
    second factor turned on since, the passkeys added since."""

    providers_unlinked: list[str]
    phone_removed: bool
    email_change_cancelled: bool
    email_restored: str | None
    second_factor_removed: bool
    passkeys_removed: Annotated[int, Meta(ge=0, description="How many passkeys added since were removed")]

    @classmethod
    def of(cls, undone: Undo) -> "UndoneOut":
        detail = undone.detail()
        return cls(
            providers_unlinked=detail["providersUnlinked"], phone_removed=detail["phoneRemoved"],
            email_change_cancelled=detail["emailChangeCancelled"], email_restored=detail["emailRestored"],
            second_factor_removed=undone.second_factor, passkeys_removed=len(undone.passkeys),
        )


class SecuredOut(Struct, kw_only=True):
    ok: bool = True
    undone: UndoneOut


class StatusOut(Struct):
    status: str


class FieldError(Struct):
    field: str
    message: str


class ErrorOut(Struct, omit_defaults=True):
    error: str
    message: str
    fields: list[FieldError] | None = None
    providers: list[str] | None = None
    methods: list[str] | None = None  # what answers mfa_required or reauth_required


class AccountOut(Struct, rename="camel"):
    provider: str
    linked_at: datetime


class AccountsOut(Struct, rename="camel"):
    accounts: list[AccountOut]
    has_password: bool


class ProvidersOut(Struct, rename="camel"):
    providers: Annotated[list[str], Meta(description="The configured sign-in providers, in button order")]
    display_names: Annotated[dict[str, str], Meta(description='Each one\'s button label: {"github": "GitHub"}')]



class SessionOut(Struct, rename="camel"):
    id: str
    created_at: datetime
    last_seen_at: datetime
    ip: str | None
    user_agent: str | None
    current: Annotated[bool, Meta(description="The session of the sid that asked")]


class SessionsOut(Struct):
    sessions: Annotated[list[SessionOut], Meta(description="Live sessions, newest first")]


class RevokedOut(Struct):
    ok: bool = True
    revoked: int = 0


class EventOut(Struct, rename="camel"):
    kind: Annotated[EventKind, Meta(description="What happened (the contract's kinds, and no other)")]
    created_at: datetime
    ip: str | None
    user_agent: str | None
    detail: Annotated[dict[str, Any], Meta(description="What the kind needs to be read; never a secret")]

    @classmethod
    def of(cls, event: SecurityEvent) -> "EventOut":
        return cls(event.kind, event.created_at, event.ip, event.user_agent, event.detail)


class EventsOut(Struct):
    events: Annotated[list[EventOut], Meta(description="Newest first")]


# The second factor and fresh authentication.
# A credential is the browser's PublicKeyCredential as WebAuthn Level 3's toJSON() writes it,
# passed to the verifier as it came: an object, its keys checked there. An assertion (a
# sign-in's) also answers a second step and a re-authentication.
WebAuthnCredential = Annotated[dict[str, Any], Meta(
    description="The PublicKeyCredential as `toJSON()` (WebAuthn Level 3) writes it: `id`, `rawId`, "
    "`type` (`public-key`) and `response` (a registration's `clientDataJSON` and `attestationObject`; "
    "a sign-in's `clientDataJSON`, `authenticatorData`, `signature` and `userHandle`), base64url. "
    "A credential that cannot be read is refused as any refused answer of its route: `invalid_passkey` "
    "by the passkey routes, `invalid_code` where it answers a second step or a re-authentication.",
)]
_CREDENTIAL_EXAMPLE_ID = "hY0Fqfx2AJSb7Cwhy8a3DlXA2tSyqT0hBj4wDN_kxn4"
_ASSERTION_EXAMPLE = {
    "id": _CREDENTIAL_EXAMPLE_ID, "rawId": _CREDENTIAL_EXAMPLE_ID, "type": "public-key",
    "response": {"clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
                 "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
                 "signature": "MEUCIQCv", "userHandle": "c2VzYW1lLXVzZXItaGFuZGxl"},
    "clientExtensionResults": {},
}
TotpCode = Annotated[str, _documented(
    "The 6 digits the authenticator app shows (spaces between them are also accepted).",
    r"^[0-9]{6}$", max_length=16,
)]
# Crockford's base32: every letter but u (i, l and o are read as 1, 1 and 0).
_RECOVERY_CHARACTERS = "[0-9A-TV-Za-tv-z]"
RecoveryCode = Annotated[str, _documented(
    "One of the recovery codes shown when two-step verification was turned on, like "
    "`k3v9q-7hx2m`: in any case, with or without its dash (or spaces).",
    rf"^{_RECOVERY_CHARACTERS}{{5}}-?{_RECOVERY_CHARACTERS}{{5}}$", max_length=32,
)]


class TotpCodeBody(Body):
    code: TotpCode

    example: ClassVar[dict | None] = {"code": "123456"}


class SecondStepBody(Body):
    """Exactly one of the three (two is 400): a code of the app, a recovery code, or a passkey's
    assertion for the options of POST /auth/mfa/passkey/options."""

    code: TotpCode | None = None
    recovery_code: RecoveryCode | None = None
    credential: WebAuthnCredential | None = None

    one_of_required: ClassVar[tuple[str, ...]] = ("code", "recoveryCode", "credential")
    exactly_one: ClassVar[bool] = True
    example: ClassVar[dict | None] = {"code": "123456"}


class ReauthBody(Body):
    """`password` when the account has one, `code` when its two-step verification is on: each
    required then, and refused otherwise (400); or `credential` alone, a passkey's assertion
    for the options of POST /auth/reauth/passkey/options."""

    password: Password | None = None
    code: TotpCode | None = None
    credential: WebAuthnCredential | None = None

    one_of_required: ClassVar[tuple[str, ...]] = ("password", "code", "credential")
    alone: ClassVar[tuple[str, ...]] = ("credential",)
    example: ClassVar[dict | None] = {"password": "correct-horse-battery-42", "code": "123456"}


class MfaStatusOut(Struct, rename="camel"):
    totp: Annotated[bool, Meta(description="On: a code confirmed it (a pending setup is not on)")]
    recovery_codes_left: Annotated[int, Meta(description="Unused codes of the current set")]
    passkeys: Annotated[int, Meta(description="The account's passkeys")] = 0


class TotpSetupOut(Struct, rename="camel"):
    secret: Annotated[str, Meta(description="The pending secret in base32 (160 bits), to type into an app")]
    otpauth_uri: Annotated[str, Meta(description="The same secret as an otpauth:// URI, for a QR code")]


class RecoveryCodesOut(Struct, kw_only=True, rename="camel"):
    recovery_codes: Annotated[list[str], Meta(description="Shown once: only their digests are kept")]


class TotpConfirmedOut(RecoveryCodesOut, kw_only=True):
    ok: bool = True


class ReauthOut(Struct, kw_only=True, rename="camel"):
    ok: bool = True
    fresh_until: Annotated[datetime, Meta(description="Until when this session may do sensitive actions")]


# Passkeys (WebAuthn): the bodies of their own routes.
PasskeyName = Annotated[str, Meta(min_length=1, max_length=64, description="1 to 64 characters once trimmed")]
_REGISTRATION_EXAMPLE = {
    "id": _CREDENTIAL_EXAMPLE_ID, "rawId": _CREDENTIAL_EXAMPLE_ID, "type": "public-key",
    "response": {"clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
                 "attestationObject": "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjF"},
    "clientExtensionResults": {},
}


class PasskeyRegisterBody(Body):
    credential: WebAuthnCredential
    name: PasskeyName | None = None

    example: ClassVar[dict | None] = {"credential": _REGISTRATION_EXAMPLE, "name": "Work laptop"}


class PasskeyRenameBody(Body):
    name: PasskeyName

    example: ClassVar[dict | None] = {"name": "Work laptop"}


class PasskeyLoginBody(Body):
    credential: WebAuthnCredential

    example: ClassVar[dict | None] = {"credential": _ASSERTION_EXAMPLE}


class PasskeyOut(Struct, kw_only=True, rename="camel"):
    id: UUID
    name: str
    created_at: datetime
    last_used_at: Annotated[datetime | None, Meta(description="The last sign-in with it; null before the first")]
    backed_up: Annotated[bool, Meta(description="Synced by its provider (it survives a lost device)")]

    @classmethod
    def of(cls, passkey: Passkey) -> "PasskeyOut":
        return cls(id=passkey.id, name=passkey.name, created_at=passkey.created_at,
                   last_used_at=passkey.last_used_at, backed_up=passkey.backed_up)


# The account's data (GET /auth/account/export): what the service holds of it, no secret.
class ExportedUserOut(Struct, kw_only=True, rename="camel"):
    id: UUID
    email: str | None
    email_verified_at: datetime | None
    username: str | None
    phone_number: str | None
    phone_verified_at: datetime | None
    has_password: Annotated[bool, Meta(description="Whether it has one: never the password nor its hash")]
    profile: ProfileOut
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> "ExportedUserOut":
        p = user.profile
        return cls(
            id=user.id, email=user.email, email_verified_at=user.email_verified_at, username=user.username,
            phone_number=user.phone_number, phone_verified_at=user.phone_verified_at,
            has_password=user.has_password, profile=ProfileOut(p.firstname, p.lastname, p.photo, p.locale),
            created_at=user.created_at,
        )


class ExportedAccountOut(Struct, kw_only=True, rename="camel"):
    provider: str
    linked_at: datetime
    subject: Annotated[str, Meta(description="The account's id at the provider")]
    email: Annotated[str | None, Meta(description="The email the provider gave")]


class ExportedSessionOut(Struct, kw_only=True, rename="camel"):
    id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    ip: str | None
    user_agent: str | None
    current: Annotated[bool, Meta(description="The session of the sid that asked")]


class SecondFactorOut(Struct, kw_only=True, rename="camel"):
    totp: Annotated[bool, Meta(description="TOTP is on (never its secret)")]
    recovery_codes_left: int


class PendingEmailChangeOut(Struct, kw_only=True, rename="camel"):
    email: Annotated[str, Meta(description="The address asked for, not yet confirmed")]
    expires_at: datetime


class AccountExportOut(Struct, kw_only=True, rename="camel"):
    user: ExportedUserOut
    accounts: Annotated[list[ExportedAccountOut], Meta(description="Linked providers")]
    sessions: Annotated[list[ExportedSessionOut], Meta(description="Every session still stored, ended ones too, newest first")]
    events: Annotated[list[EventOut], Meta(description="The whole security activity, newest first")]
    passkeys: list[PasskeyOut]
    second_factor: SecondFactorOut
    pending_email_change: PendingEmailChangeOut | None
    exported_at: datetime


class PasskeyEnvelopeOut(Struct):
    passkey: PasskeyOut


class PasskeysOut(Struct):
    passkeys: list[PasskeyOut]


WebAuthnOptions = Annotated[dict[str, Any], Meta(
    description="PublicKeyCredentialCreationOptions / RequestOptions in the WebAuthn Level 3 JSON form, "
    "for `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`.",
)]
