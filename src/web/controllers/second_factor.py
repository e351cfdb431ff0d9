"""The second factor (TOTP and its recovery codes), the second step of a sign-in (a passkey may
answer it), and re-authentication for sensitive actions (by passkey too)."""

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import UNSET

from application.policy import PasskeyPolicy, SecondFactorPolicy
from application.use_cases.confirm_totp import ConfirmTotp
from application.use_cases.disable_totp import DisableTotp
from application.use_cases.mfa_status import GetMfaStatus
from application.use_cases.reauthenticate import Reauthenticate
from application.use_cases.reauthenticate_with_passkey import ReauthenticateWithPasskey
from application.use_cases.regenerate_recovery_codes import RegenerateRecoveryCodes
from application.use_cases.set_up_totp import SetUpTotp
from application.use_cases.start_passkey_reauth import StartPasskeyReauth
from application.use_cases.start_second_step_passkey import StartSecondStepPasskey
from application.use_cases.verify_second_step import VerifySecondStep
from domain.errors import InvalidInput
from web.dto import (
    LoginOut, MfaStatusOut, OkOut, ReauthBody, ReauthOut, RecoveryCodesOut, SecondStepBody, TotpCodeBody,
    TotpConfirmedOut, TotpSetupOut, UserOut, WebAuthnOptions,
)
from web.edge.client import client_info
from web.edge.cookies import (
    MFA_CHALLENGE, PENDING_LINK, CookiePolicy, DeviceCookie, MfaChallengeCookie, PendingLinkCookie, SidCookie,
)
from web.openapi import FRESH_AUTHENTICATION, SIGN_IN_COOKIES, failures, sets_cookies, spell

_STEP = SecondFactorPolicy()
_PASSKEY = PasskeyPolicy()


class MfaController(Controller):
    path = "/auth/mfa"
    tags = ["mfa"]

    @get("/", summary="The account's second factors",
         responses=failures("not_authenticated", "not_ready"))
    async def status(self, mfa_status: NamedDependency[GetMfaStatus], sid: SidCookie) -> MfaStatusOut:
        status = await mfa_status.execute(sid)
        return MfaStatusOut(status.totp, status.recovery_codes_left, status.passkeys)

    @post("/totp/setup", status_code=200, summary="Start turning TOTP on: a pending secret",
          description="A new secret of 160 bits, pending (a new call replaces it): nothing is on until "
          "`POST /auth/mfa/totp/confirm` gets a first code. The URI is labelled with MFA_ISSUER and the "
          "account's email (else its username, else its phone number). The secret is never answered "
          "again. An account whose email is not verified gets 403 `email_not_verified`. " + FRESH_AUTHENTICATION,
          responses=failures("not_authenticated", "reauth_required", "email_not_verified",
                             "mfa_already_enabled", "not_ready"))
    async def set_up(self, set_up_totp: NamedDependency[SetUpTotp], sid: SidCookie) -> TotpSetupOut:
        setup = await set_up_totp.execute(sid)
        return TotpSetupOut(setup.secret, setup.otpauth_uri)

    @post("/totp/confirm", status_code=200, summary="Turn TOTP on with a first code from the app",
          description=f"Answers the first {_STEP.recovery_codes} recovery codes, once. Event `mfa_enabled`, "
          "and a notice to the owner.",
          responses=failures("invalid_request", "invalid_code", "not_authenticated", "mfa_setup_not_started",
                             "not_ready"))
    async def confirm(
        self, request: Request, data: JSONBody[TotpCodeBody], confirm_totp: NamedDependency[ConfirmTotp],
        sid: SidCookie,
    ) -> TotpConfirmedOut:
        codes = await confirm_totp.execute(sid, data.code, client_info(request))
        return TotpConfirmedOut(recovery_codes=codes)

    @delete("/totp", status_code=200, summary="Turn TOTP off (and drop its recovery codes)",
            description="Event `mfa_disabled`, and a notice to the owner. " + FRESH_AUTHENTICATION,
            responses=failures("not_authenticated", "reauth_required", "mfa_not_enabled", "not_ready"))
    async def disable(
        self, request: Request, disable_totp: NamedDependency[DisableTotp], sid: SidCookie
    ) -> OkOut:
        await disable_totp.execute(sid, client_info(request))
        return OkOut()

    @post("/recovery-codes", status_code=200, summary="A new set of recovery codes (the old ones stop working)",
          description="Shown once. Event `recovery_codes_regenerated`, and a notice to the owner. " + FRESH_AUTHENTICATION,
          responses=failures("not_authenticated", "reauth_required", "mfa_not_enabled", "not_ready"))
    async def regenerate(
        self, request: Request, regenerate_recovery_codes: NamedDependency[RegenerateRecoveryCodes],
        sid: SidCookie,
    ) -> RecoveryCodesOut:
        codes = await regenerate_recovery_codes.execute(sid, client_info(request))
        return RecoveryCodesOut(recovery_codes=codes)

    @post("/passkey/options", status_code=200, summary="Request options of a passkey answering the second step",
          description="With the `mfa_challenge` cookie of a sign-in that answered `mfa_required` with "
          "`passkey` among its `methods`: for `navigator.credentials.get()`, `allowCredentials` the "
          "account's passkeys, user verification required. The challenge is bound to that second step, "
          f"single use, {spell(_PASSKEY.challenge_ttl)} (never past the second step's own end); a new "
          "call replaces it. Answer it with `{credential}` on `POST /auth/mfa/verify`. No, an expired, "
          "a used or a burned challenge is 401 `mfa_challenge_expired`; an account without a passkey "
          "is 404 `not_found`. Asking counts no answer.",
          responses=failures("mfa_challenge_expired", "not_found", "not_ready"))
    async def passkey_options(
        self, start_second_step_passkey: NamedDependency[StartSecondStepPasskey], mfa_challenge: MfaChallengeCookie,
    ) -> WebAuthnOptions:
        return await start_second_step_passkey.execute(mfa_challenge)

    @post("/verify", status_code=200, summary="Answer the second step of a sign-in and get its session",
          description="With the `mfa_challenge` cookie of a login or a provider sign-in that answered "
          "`mfa_required`: a code of the authenticator app (one step of drift either side, each step "
          "once), one of the recovery codes (each once; a notice says how many remain), or a passkey's "
          "assertion for the options of `POST /auth/mfa/passkey/options` (one of the account's "
          "passkeys; its counter must go forward). Answers exactly as a successful login and clears "
          "the challenge. A wrong answer (a refused passkey too: another account's, an unreadable one, "
          "a bad signature, a replay) is 400 `invalid_code`; the "
          f"{_STEP.max_wrong_answers}th burns the challenge (429 `too_many_attempts`, "
          "event `mfa_failed` and a notice to the owner), after which it is 401 `mfa_challenge_expired`, "
          "as for no, an expired or a used challenge: sign in again. Wrong answers count with failed "
          "logins toward the account's lock (423, as the login).",
          responses=failures("invalid_request", "invalid_code", "mfa_challenge_expired", "account_locked",
                             "too_many_attempts", "not_ready"),
          response_headers=[sets_cookies(SIGN_IN_COOKIES + " Clears `mfa_challenge`.")])
    async def verify(
        self, request: Request, data: JSONBody[SecondStepBody],
        verify_second_step: NamedDependency[VerifySecondStep], cookie_policy: NamedDependency[CookiePolicy],
        mfa_challenge: MfaChallengeCookie, pending_link: PendingLinkCookie, device: DeviceCookie,
    ) -> Response[LoginOut]:
        signed_in = await verify_second_step.execute(
            mfa_challenge, client_info(request), code=data.code, recovery_code=data.recovery_code,
            credential=data.credential, device_cookie=device,
        )
        user = signed_in.user
        response = Response(LoginOut(
            user=UserOut.of(user), profile_complete=user.profile.is_complete,
            linked_provider=signed_in.linked_provider or UNSET,
        ))
        cookie_policy.set_session(response, signed_in.tokens)
        cookie_policy.set_device(response, signed_in.device_cookie)
        cookie_policy.clear(response, MFA_CHALLENGE)
        if pending_link:  # the login that opened the challenge used it up
            cookie_policy.clear(response, PENDING_LINK)
        return response


class ReauthController(Controller):
    path = "/auth/reauth"
    tags = ["mfa"]

    @post("/", status_code=200, summary="Make this session fresh again for sensitive actions",
          description="`password` when the account has one, plus `code` (of the authenticator app) when "
          "its two-step verification is on; `code` alone for an account without a password. A field "
          "the account has no use for is 400. Or `credential` alone: a passkey's assertion for the "
          "options of `POST /auth/reauth/passkey/options` (one of the account's passkeys; a refused one "
          "is 400 `invalid_code`, as a wrong code). An account with none of these proves itself through its "
          "provider instead (`GET /auth/{provider}?reauth=true`). Wrong answers count with failed "
          "logins toward the account's lock (423). Event `reauthenticated` with the `methods` used.",
          responses=failures("invalid_request", "invalid_code", "not_authenticated", "invalid_password",
                             "account_locked", "busy", "not_ready"))
    async def reauth(
        self, request: Request, data: JSONBody[ReauthBody], reauthenticate: NamedDependency[Reauthenticate],
        reauthenticate_with_passkey: NamedDependency[ReauthenticateWithPasskey], sid: SidCookie,
    ) -> ReauthOut:
        if data.credential is None:
            fresh_until = await reauthenticate.execute(
                sid, client_info(request), password=data.password, code=data.code
            )
        elif data.password is not None or data.code is not None:
            raise InvalidInput("credential", "comes alone: a passkey is proof enough")
        else:
            fresh_until = await reauthenticate_with_passkey.execute(sid, client_info(request), data.credential)
        return ReauthOut(fresh_until=fresh_until)

    @post("/passkey/options", status_code=200, summary="Request options of a re-authentication by passkey",
          description="For `navigator.credentials.get()`: `allowCredentials` the account's passkeys, user "
          f"verification required. The challenge is bound to this session, single use, "
          f"{spell(_PASSKEY.challenge_ttl)}; a new call replaces it. Answer it with `{{credential}}` on "
          "`POST /auth/reauth`. An account without a passkey is 404 `not_found`.",
          responses=failures("not_authenticated", "not_found", "not_ready"))
    async def passkey_options(
        self, start_passkey_reauth: NamedDependency[StartPasskeyReauth], sid: SidCookie
    ) -> WebAuthnOptions:
        return await start_passkey_reauth.execute(sid)
