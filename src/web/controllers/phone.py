"""Proving the profile's phone number with a WhatsApp code."""

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.policy import PhoneCodePolicy
from application.use_cases.request_phone_code import RequestPhoneCode
from application.use_cases.verify_phone import VerifyPhone
from domain.codes import CODE_DIGITS
from web.dto import OkOut, PhoneCodeBody, UserOkOut, UserOut
from web.edge.client import client_info
from web.edge.cookies import SidCookie
from web.openapi import failures, per, spell

_CODES = PhoneCodePolicy()


class PhoneController(Controller):
    path = "/auth/phone/verify"
    tags = ["profile"]

    @post(
        "/request",
        status_code=202,
        summary="Send a WhatsApp code to the profile's phone number",
        description=f"The code has {CODE_DIGITS} digits and is good for {spell(_CODES.code_ttl)} and "
        f"{_CODES.max_attempts} tries; a new code replaces the previous one. At most "
        f"{_CODES.codes_per_number} codes per number {per(_CODES.number_window)}, "
        f"{_CODES.codes_per_account} per account {per(_CODES.account_window)} whatever its numbers, "
        f"and {_CODES.per_address.requests} per address {per(_CODES.per_address.window)} (429 with "
        "Retry-After). An account whose email "
        "is unverified gets `email_not_verified` (403): verify it first. A server without WhatsApp "
        "(production without Twilio) answers `channel_not_configured` (503) to every request.",
        responses=failures("no_phone", "not_authenticated", "email_not_verified", "rate_limited",
                           "channel_not_configured", "not_ready"),
    )
    async def request_code(
        self, request: Request, request_phone_code: NamedDependency[RequestPhoneCode], sid: SidCookie
    ) -> OkOut:
        await request_phone_code.execute(sid, client_info(request))
        return OkOut()

    @post(
        "/",
        status_code=200,
        summary="Verify the profile's phone number with the code received",
        description=f"A wrong code answers `invalid_code`; {_CODES.max_attempts} wrong tries burn the "
        "code (`too_many_attempts`, also for any later try): ask for a new one. The right code for a "
        "number another account has verified answers `phone_taken`. An account whose email is "
        "unverified gets `email_not_verified` (403).",
        responses=failures("invalid_code", "not_authenticated", "email_not_verified", "phone_taken",
                           "too_many_attempts", "not_ready"),
    )
    async def verify(
        self, request: Request, data: JSONBody[PhoneCodeBody], verify_phone: NamedDependency[VerifyPhone],
        sid: SidCookie,
    ) -> UserOkOut:
        return UserOkOut(user=UserOut.of(await verify_phone.execute(sid, data.code, client_info(request))))
