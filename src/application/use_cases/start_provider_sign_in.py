from collections.abc import Mapping
from dataclasses import dataclass

from application.policy import ProviderFlowPolicy
from application.ports.identity import IdentityProvider
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.use_cases.get_current_user import GetCurrentUser
from domain.errors import ProviderNotConfigured, ReauthFailed
from domain.flows import ProviderFlow
from domain.identities import safe_redirect_path


@dataclass(frozen=True, slots=True)
class StartedFlow:
    authorization_url: str
    browser_token: str  # goes in a short HttpOnly cookie: binds the flow to this browser


@dataclass(frozen=True, slots=True, kw_only=True)
class StartProviderSignIn:
    """Begin a sign-in (or a link) at an identity provider.

    - state, nonce and PKCE verifier are fresh random values, kept server-side (the
      state and the browser binding only as digests);
    - linking is asked with link=true by a signed-in browser; without a session it is
      an ordinary sign-in;
    - re-authenticating is asked with reauth=true by a signed-in browser (it wins over
      link=true): the round trip makes that session fresh (CompleteProviderSignIn); without
      a session it fails at once (ReauthFailed);
    - `redirect` is kept only if it is a path on the frontend (no open redirect).
    """

    providers: Mapping[str, IdentityProvider]
    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    current_user: GetCurrentUser
    policy: ProviderFlowPolicy

    async def execute(
        self, provider: str, *, link: bool, redirect: str | None, sid: str | None, reauth: bool = False
    ) -> StartedFlow:
        idp = self.providers.get(provider)
        if idp is None:
            raise ProviderNotConfigured()
        link = link and not reauth
        user = await self.current_user.execute(sid) if link or reauth else None
        if reauth and user is None:
            raise ReauthFailed()
        state, browser = self.tokens.new_token(), self.tokens.new_token()
        nonce, verifier = self.tokens.new_token(), self.tokens.new_token()
        now = self.clock.now()
        flow = ProviderFlow(
            state_digest=self.tokens.digest(state),
            browser_digest=self.tokens.digest(browser),
            provider=provider,
            nonce=nonce,
            code_verifier=verifier,
            created_at=now,
            expires_at=now + self.policy.flow_ttl,
            redirect_path=safe_redirect_path(redirect),
            link_user_id=user.id if user else None,
            reauth=reauth,
        )
        url = await idp.authorization_url(state=state, nonce=nonce, code_verifier=verifier)
        async with self.new_uow() as uow:
            await uow.flows.add(flow)
            await uow.commit()
        return StartedFlow(url, browser)
