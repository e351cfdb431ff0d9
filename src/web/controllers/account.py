"""The account itself: its data for its owner to keep, and its deletion."""

from litestar import Controller, Request, Response, delete, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency

from application.use_cases.delete_account import DeleteAccount
from application.use_cases.export_account_data import AccountData, ExportAccountData
from web.dto import (
    AccountExportOut,
    EventOut,
    ExportedAccountOut,
    ExportedSessionOut,
    ExportedUserOut,
    OkOut,
    PasskeyOut,
    PendingEmailChangeOut,
    SecondFactorOut,
)
from web.edge.client import client_info
from web.edge.cookies import DEVICE, REFRESH, SID, CookiePolicy, SidCookie
from web.openapi import FRESH_AUTHENTICATION, failures, sets_cookies


class AccountController(Controller):
    path = "/auth/account"
    tags = ["account"]

    @get("/export", summary="Download everything the service holds about the account (a JSON file)",
         description="A JSON file (`Content-Disposition: attachment`): the user and profile, linked "
         "providers, every session still stored, the whole security activity, passkeys, the second "
         "factor's state, a pending email change, and `exportedAt`. Never a password hash, a token, a "
         "secret, a digest or an encrypted value. " + FRESH_AUTHENTICATION,
         responses=failures("not_authenticated", "reauth_required", "not_ready"),
         response_headers=[ResponseHeader(
             name="Content-Disposition", documentation_only=True,
             description='`attachment; filename="account-data-<date>.json"`',
         )])
    async def export(
        self, export_account_data: NamedDependency[ExportAccountData], sid: SidCookie
    ) -> Response[AccountExportOut]:
        data = await export_account_data.execute(sid)
        name = f"account-data-{data.exported_at:%Y-%m-%d}.json"
        return Response(_export(data), headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @delete("/", status_code=200, summary="Delete the account and erase its personal data",
            description="In one transaction: the user, profile, linked providers and their tokens, "
            "passkeys, TOTP and recovery codes, sessions and refresh tokens, pending links and email "
            "changes, security events, and the messages not yet sent to it are erased; its email, "
            "username and phone number are free at once. A last notice (`account_deleted`) goes to its "
            "email. Every session of the account is dead at once; the answer clears `sid`, "
            "`refresh_token` and `device`. " + FRESH_AUTHENTICATION,
            responses=failures("not_authenticated", "reauth_required", "not_ready"),
            response_headers=[sets_cookies(
                "Clears `sid` (Path=/), `refresh_token` and `device` (Path=/auth): empty, Max-Age=0."
            )])
    async def delete_account(
        self, request: Request, delete_account: NamedDependency[DeleteAccount],
        cookie_policy: NamedDependency[CookiePolicy], sid: SidCookie,
    ) -> Response[OkOut]:
        await delete_account.execute(sid, client_info(request))
        response = Response(OkOut())
        cookie_policy.clear(response, SID, REFRESH, DEVICE)
        return response


def _export(data: AccountData) -> AccountExportOut:
    pending = data.pending_email_change
    return AccountExportOut(
        user=ExportedUserOut.of(data.user),
        accounts=[ExportedAccountOut(provider=a.provider, linked_at=a.linked_at, subject=a.subject, email=a.email)
                  for a in data.accounts],
        sessions=[ExportedSessionOut(
            id=s.id, created_at=s.created_at, last_seen_at=s.last_seen_at, expires_at=s.expires_at,
            revoked_at=s.revoked_at, ip=s.ip, user_agent=s.user_agent, current=s.id == data.current_session,
        ) for s in data.sessions],
        events=[EventOut.of(e) for e in data.events],
        passkeys=[PasskeyOut.of(p) for p in data.passkeys],
        second_factor=SecondFactorOut(totp=data.totp, recovery_codes_left=data.recovery_codes_left),
        pending_email_change=PendingEmailChangeOut(email=pending.email, expires_at=pending.expires_at)
        if pending is not None and pending.email is not None else None,
        exported_at=data.exported_at,
    )
