from typing import Annotated

from litestar import Controller, Request, delete, get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from application.use_cases.list_linked_accounts import ListLinkedAccounts
from application.use_cases.unlink_account import UnlinkAccount
from web.edge.client import client_info
from web.dto import AccountOut, AccountsOut, OkOut, ProvidersOut
from web.edge.cookies import SidCookie
from web.openapi import failures


class AccountsController(Controller):
    path = "/auth/accounts"
    tags = ["providers"]

    @get("/", summary="Providers linked to the signed-in user",
         responses=failures("not_authenticated", "not_ready"))
    async def list_accounts(
        self, list_linked_accounts: NamedDependency[ListLinkedAccounts], sid: SidCookie
    ) -> AccountsOut:
        linked = await list_linked_accounts.execute(sid)
        return AccountsOut([AccountOut(a.provider, a.linked_at) for a in linked.accounts], linked.has_password)

    @delete("/{provider:str}", status_code=200, summary="Unlink a provider (never the last way in)",
            responses=failures("not_authenticated", "not_linked", "last_login_method", "not_ready"))
    async def unlink(
        self,
        request: Request,
        provider: Annotated[str, PathParameter(description="A provider name, as in `providers` of the User")],
        unlink_account: NamedDependency[UnlinkAccount], sid: SidCookie
    ) -> OkOut:
        await unlink_account.execute(sid, provider, client_info(request))
        return OkOut()


class ProvidersController(Controller):
    path = "/auth/providers"
    tags = ["providers"]

    @get("/", summary="The sign-in providers configured on this server, for the frontend's buttons",
         description="An unconfigured provider is absent, and its routes answer 404 (Google's: 503).")
    async def list_providers(self, sign_in_providers: NamedDependency[dict[str, str]]) -> ProvidersOut:
        return ProvidersOut(list(sign_in_providers), dict(sign_in_providers))
