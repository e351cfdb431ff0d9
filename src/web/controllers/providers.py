"""Sign in with a provider: /auth/{provider} starts, /auth/{provider}/callback finishes.
Both are browser navigations, so every outcome of the callback is a redirect."""

import logging
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import CookieParameter, QueryParameter
from litestar.response import Redirect

from application.use_cases.complete_provider_sign_in import CompleteProviderSignIn, ProviderCallback
from application.use_cases.start_provider_sign_in import StartProviderSignIn
from domain.errors import DomainError, InvalidState, LinkPending, MfaRequired, ProviderError, ReauthFailed
from web.edge.client import client_info
from web.edge.cookies import FLOW_MAX_AGE, PENDING_LINK_MAX_AGE, CookiePolicy, DeviceCookie, SidCookie, flow_cookie
from web.frontend import Frontend
from web.openapi import SIGN_IN_COOKIES, failures, sets_cookies

log = logging.getLogger(__name__)

# Longer values are no state, code or error we issued or a provider sends. They are checked
# here, not by Parameter(max_length), whose 400 would strand the browser on a JSON page.
_MAX_LENGTHS = {"state": 512, "code": 4096, "error": 256}


def provider_controller(provider: str) -> type[Controller]:
    FlowCookie = Annotated[str | None, CookieParameter(
        name=flow_cookie(provider), required=False,
        description="Binds the sign-in to the browser that started it (set by the start route).",
    )]

    class ProviderController(Controller):
        path = f"/auth/{provider}"
        tags = ["providers"]

        @get("/", status_code=302,
             summary=f"Start signing in (or linking, with link=true, or re-authenticating, with reauth=true) with {provider}",
             description=f"Redirects to {provider} (state, nonce and PKCE S256), or, when {provider} cannot "
             "be reached, to the frontend's login page with `?error=provider_error`. With `reauth=true` "
             "(a signed-in browser), the round trip makes this session fresh for sensitive actions when "
             f"the {provider} identity is one linked to the account: it ends at "
             f"`/auth/finish?from=social&provider={provider}&reauth=true`, or with `&error=reauth_failed` "
             "(no session, another identity, a refusal) on the frontend.",
             response_description=f"To {provider}'s authorization page (or the frontend's login page)",
             responses=failures("invalid_request", "provider_not_configured", "not_ready"),
             response_headers=[sets_cookies(
                 f"`{flow_cookie(provider)}`: binds this sign-in to the browser (HttpOnly, "
                 f"Path=/auth/{provider}, Max-Age={FLOW_MAX_AGE}).", always=False)])
        async def start(
            self,
            start_provider_sign_in: NamedDependency[StartProviderSignIn],
            cookie_policy: NamedDependency[CookiePolicy],
            frontend: NamedDependency[Frontend],
            sid: SidCookie,
            link: Annotated[bool, QueryParameter(description="true: link to the signed-in account")] = False,
            reauth: Annotated[bool, QueryParameter(
                description="true: re-authenticate the signed-in session (wins over link)"
            )] = False,
            redirect: Annotated[str | None, QueryParameter(
                max_length=2048, description="Where the frontend goes afterwards: a path on the frontend."
            )] = None,
        ) -> Redirect:
            try:
                started = await start_provider_sign_in.execute(
                    provider, link=link, redirect=redirect, sid=sid, reauth=reauth
                )
            except ReauthFailed:  # no session to re-authenticate
                return Redirect(frontend.reauth_url(provider, failed=True))
            except ProviderError as exc:  # the provider is unreachable: say so on the login page
                return Redirect(frontend.login_error_url(exc))
            response = Redirect(started.authorization_url)
            cookie_policy.set_flow(response, provider, started.browser_token)
            return response

        @get("/callback", status_code=302, summary=f"Where {provider} sends the browser back",
             description="Every outcome is a redirect to the frontend: `/auth/finish?from=social&provider=...` "
             "signed in, or `/auth/login?error=<code>` (access_denied, invalid_state, provider_error, "
             "email_not_verified, account_already_linked, server). When the email belongs to an account "
             "with a password, `email_not_verified` comes with `&provider=...&pending=link` and a "
             "`pending_link` cookie: the next password login in this browser, to that account, links it. "
             "Into an account with two-step verification on, the sign-in ends at "
             "`/auth/mfa?from=social&provider=...&methods=totp,recovery_code` with an `mfa_challenge` "
             "cookie and no session (`POST /auth/mfa/verify` completes it). A re-authentication "
             "(`reauth=true`) ends at `/auth/finish?from=social&provider=...&reauth=true`, the session "
             "fresh, or with `&error=reauth_failed`.",
             response_description="To the frontend's finish page (signed in) or its login page with `?error=`",
             response_headers=[sets_cookies(
                 f"Clears `{flow_cookie(provider)}`; when signed in, also: " + SIGN_IN_COOKIES
                 + f" After `pending=link`: `pending_link` (HttpOnly, Path=/auth, Max-Age={PENDING_LINK_MAX_AGE})."
                 + " Before a second step: `mfa_challenge` (HttpOnly, Path=/auth, Max-Age=300) alone.")])
        async def callback(
            self,
            request: Request,
            complete_provider_sign_in: NamedDependency[CompleteProviderSignIn],
            cookie_policy: NamedDependency[CookiePolicy],
            frontend: NamedDependency[Frontend],
            flow: FlowCookie,
            device: DeviceCookie,
            sid: SidCookie,
            code: Annotated[str | None, QueryParameter(description="The authorization code")] = None,
            oauth_state: Annotated[str | None, QueryParameter(
                name="state", description="The state this server sent"
            )] = None,
            error: Annotated[str | None, QueryParameter(
                description="Why the provider refused (e.g. access_denied)"
            )] = None,
        ) -> Redirect:
            callback = ProviderCallback(provider, oauth_state, code, error, flow, device, sid)
            try:
                if _too_long(state=oauth_state, code=code, error=error):
                    raise InvalidState()
                result = await complete_provider_sign_in.execute(callback, client_info(request))
            except LinkPending as exc:  # the password login in this browser completes it
                response = Redirect(frontend.login_error_url(exc))
                cookie_policy.set_pending_link(response, exc.browser_token)
            except ReauthFailed:
                response = Redirect(frontend.reauth_url(provider, failed=True))
            except MfaRequired as exc:  # no session before the second step
                response = Redirect(frontend.second_step_url(exc.methods, provider))
                cookie_policy.set_mfa_challenge(response, exc.challenge_token, exc.expires_at)
            except DomainError as exc:
                response = Redirect(frontend.login_error_url(exc))
            except Exception:  # never a stack trace in the browser: log it, say "server"
                log.exception("%s callback failed", provider)
                response = Redirect(frontend.login_error_url(None))
            else:
                response = Redirect(
                    frontend.reauth_url(provider, result.redirect_path) if result.reauthenticated
                    else frontend.finish_url(provider, result.linked, result.redirect_path)
                )
                if result.tokens is not None:
                    cookie_policy.set_session(response, result.tokens)
                    cookie_policy.set_device(response, result.device_cookie)
            cookie_policy.clear_flow(response, provider)
            return response

    ProviderController.__name__ = f"{provider.title()}Controller"
    return ProviderController


def _too_long(**values: str | None) -> bool:
    return any(value is not None and len(value) > _MAX_LENGTHS[name] for name, value in values.items())
