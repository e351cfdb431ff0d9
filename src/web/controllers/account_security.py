"""The links mailed when the account may be in someone else's hands: "not you?" and unlock."""

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.policy import EmailLinkPolicy
from application.use_cases.secure_account import SecureAccount
from application.use_cases.unlock_account import UnlockAccount
from web.edge.client import client_info
from web.dto import AccountLinkBody, OkOut, SecuredOut, UndoneOut
from web.openapi import failures, spell

_LINKS = EmailLinkPolicy()


class AccountSecurityController(Controller):
    path = "/auth"
    tags = ["password"]

    @post("/secure-account", status_code=200,
          summary='Give the account back and lock out whoever else is in it (the "not you?" link)',
          description="The `token` of the \"not you?\" link of a change or new-device notice "
          f"(`FRONTEND_ORIGIN/secure-account?token=...`, {spell(_LINKS.secure_account_ttl)}, once). What was added since the "
          "event the notice was mailed for is undone: providers linked since are unlinked, a phone "
          "number set or verified since is removed, a pending email change is cancelled and a "
          "completed one reverted to the address the notice went to (verified by this click); "
          "`undone` says what (`emailRestored` masked). Then every session of the account is revoked "
          "and its password removed; the owner gets back in through /auth/forgot-password.",
          responses=failures("invalid_request", "invalid_token", "not_ready"))
    async def secure(
        self, request: Request, data: JSONBody[AccountLinkBody],
        secure_account: NamedDependency[SecureAccount],
    ) -> SecuredOut:
        undone = await secure_account.execute(data.token, client_info(request))
        return SecuredOut(undone=UndoneOut.of(undone))

    @post("/unlock", status_code=200,
          summary="Lift the login lock with the mailed unlock link",
          description="The `token` of the link mailed when failed logins lock the account "
          f"(`FRONTEND_ORIGIN/unlock?token=...`, {spell(_LINKS.unlock_ttl)}, once). The account's failure count is cleared.",
          responses=failures("invalid_request", "invalid_token", "not_ready"))
    async def unlock(
        self, request: Request, data: JSONBody[AccountLinkBody],
        unlock_account: NamedDependency[UnlockAccount],
    ) -> OkOut:
        await unlock_account.execute(data.token, client_info(request))
        return OkOut()
