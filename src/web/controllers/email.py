"""The account's email: verify it by a mailed link, change it (confirmed by a link to the new address)."""

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.policy import EmailLinkPolicy
from application.use_cases.request_email_change import RequestEmailChange
from application.use_cases.request_email_verification import RequestEmailVerification
from application.use_cases.verify_email import VerifyEmail
from web.dto import EmailChangeBody, OkOut, UserOkOut, UserOut, VerifyEmailBody
from web.edge.client import client_info
from web.edge.cookies import SidCookie
from web.openapi import failures, per, spell

_LINKS = EmailLinkPolicy()


class EmailController(Controller):
    path = "/auth"
    tags = ["email"]

    @post("/verify-email/request", status_code=202,
          summary="Send a new verification link to the current address",
          description="Nothing is sent when the address is already verified (or when the account "
          f"has none); the answer is the same. At most {_LINKS.requests} asks per account {per(_LINKS.window)}.",
          responses=failures("not_authenticated", "rate_limited", "not_ready"))
    async def request_verification(
        self, request: Request, request_email_verification: NamedDependency[RequestEmailVerification],
        sid: SidCookie,
    ) -> OkOut:
        await request_email_verification.execute(sid, client_info(request))
        return OkOut()

    @post("/verify-email", status_code=200,
          summary="Open a verification or email-change link (no session needed)",
          description="A verification link marks the address verified; an email-change link makes "
          "its address the account's email (verified) and notifies the old address. Each link "
          f"works once, for {spell(_LINKS.link_ttl)}.",
          responses=failures("invalid_request", "invalid_token", "email_taken", "not_ready"))
    async def verify(
        self, request: Request, data: JSONBody[VerifyEmailBody], verify_email: NamedDependency[VerifyEmail]
    ) -> UserOkOut:
        user = await verify_email.execute(data.token, client_info(request))
        return UserOkOut(user=UserOut.of(user))

    @post("/email/change", status_code=202,
          summary="Ask to change (or add) the account's email",
          description="A link goes to the new address and a notice to the old one; the email "
          "changes only when the link is opened. `password` is required when the account has one; "
          "wrong passwords count with failed logins toward the account's lock (423).",
          responses=failures("invalid_request", "not_authenticated", "invalid_password", "email_taken",
                             "account_locked", "busy", "not_ready"))
    async def change(
        self, request: Request, data: JSONBody[EmailChangeBody],
        request_email_change: NamedDependency[RequestEmailChange], sid: SidCookie,
    ) -> OkOut:
        await request_email_change.execute(sid, data.email, data.password, client_info(request))
        return OkOut()
