"""Forgotten passwords (a link by email, a code by WhatsApp) and password changes."""

import logging

from litestar import Controller, Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.policy import EmailLinkPolicy, PhoneCodePolicy, RecoveryPolicy
from application.use_cases.change_password import ChangePassword
from application.use_cases.forgot_password import ForgotPassword, RecoveryRequest
from application.use_cases.reset_password import ResetPassword
from application.use_cases.verify_reset_code import VerifyResetCode
from domain.clients import ClientInfo
from domain.codes import CODE_DIGITS
from web.edge.client import client_info
from web.dto import (
    ChangePasswordBody,
    ForgotPasswordBody,
    OkOut,
    ResetPasswordBody,
    ResetTokenOut,
    VerifyResetCodeBody,
)
from web.edge.cookies import SidCookie
from web.openapi import failures, per, spell

log = logging.getLogger("sesame.recovery")
_RECOVERY, _LINKS, _CODES = RecoveryPolicy(), EmailLinkPolicy(), PhoneCodePolicy()


class RecoveryController(Controller):
    path = "/auth"
    tags = ["password"]

    @post("/forgot-password", status_code=202,
          summary="Send a password reset link (by email) or code (by WhatsApp)",
          description="Give `email` or `phoneNumber`. The answer is the same whether or not an "
          "account matches, and whether or not a quota held the message back. By email: a link "
          f"`FRONTEND_ORIGIN/reset-password?token=...`, {spell(_LINKS.reset_link_ttl)}, once. By phone: "
          f"a {CODE_DIGITS}-digit WhatsApp code, only to a number its account has verified; trade it "
          f"at /auth/verify-phone. At most {_RECOVERY.messages_per_account} reset messages per account "
          f"{per(_RECOVERY.account_window)}, {_CODES.codes_per_number} codes per number "
          f"{per(_CODES.number_window)}. A server "
          "without WhatsApp (production without Twilio) answers `channel_not_configured` (503) to "
          "every `phoneNumber`, known or not.",
          responses=failures("invalid_request", "rate_limited", "channel_not_configured", "not_ready"))
    async def forgot(
        self, request: Request, data: JSONBody[ForgotPasswordBody],
        forgot_password: NamedDependency[ForgotPassword],
    ) -> Response[OkOut]:
        client = client_info(request)
        admitted = await forgot_password.admit(data.email, data.phone_number, client)
        # The account's work runs once the answer is sent: see application.use_cases.forgot_password.
        return Response(OkOut(), status_code=202,
                        background=BackgroundTask(_deliver, forgot_password, admitted, client))

    @post("/verify-phone", status_code=200,
          summary="Trade a WhatsApp reset code for a resetToken",
          description="The code sent by /auth/forgot-password with `phoneNumber`. A wrong code, or a "
          f"number no account has verified, answers `invalid_code`; {_CODES.max_attempts} wrong tries "
          "burn the code (`too_many_attempts`). The resetToken works once, for "
          f"{spell(_RECOVERY.reset_token_ttl)}, at /auth/reset-password.",
          responses=failures("invalid_request", "invalid_code", "too_many_attempts", "rate_limited",
                             "not_ready"))
    async def verify_code(
        self, request: Request, data: JSONBody[VerifyResetCodeBody],
        verify_reset_code: NamedDependency[VerifyResetCode],
    ) -> ResetTokenOut:
        token = await verify_reset_code.execute(data.phone_number, data.code, client_info(request))
        return ResetTokenOut(reset_token=token)

    @post("/reset-password", status_code=200,
          summary="Choose a new password with a reset link's token or a resetToken",
          description="Every session of the account is revoked (sign in again); a link that came by "
          "email also marks that email verified; a notice is sent. A weak or breached password is "
          "refused before the token is used: it stays usable.",
          responses=failures("invalid_request", "weak_password", "breached_password", "invalid_token", "busy",
                             "not_ready"))
    async def reset(
        self, request: Request, data: JSONBody[ResetPasswordBody],
        reset_password: NamedDependency[ResetPassword],
    ) -> OkOut:
        await reset_password.execute(data.token, data.password, client_info(request))
        return OkOut()

    @post("/password/change", status_code=200,
          summary="Change the password while signed in",
          description="`currentPassword` is required when the account has a password; wrong ones "
          "count with failed logins toward the account's lock (423). Every other session is revoked, "
          "this one stays; a notice is sent.",
          responses=failures("invalid_request", "weak_password", "breached_password", "not_authenticated",
                             "invalid_password", "account_locked", "busy", "not_ready"))
    async def change(
        self, request: Request, data: JSONBody[ChangePasswordBody],
        change_password: NamedDependency[ChangePassword], sid: SidCookie,
    ) -> OkOut:
        await change_password.execute(sid, data.current_password, data.new_password, client_info(request))
        return OkOut()


async def _deliver(forgot_password: ForgotPassword, admitted: RecoveryRequest, client: ClientInfo) -> None:
    try:
        await forgot_password.deliver(admitted, client)
    except Exception:  # the answer is gone: nobody else will hear of it
        log.exception("forgot-password delivery failed")
