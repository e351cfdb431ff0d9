from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.policy import ProviderFlowPolicy
from application.ports.identity import IdentityProvider
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.account_ownership import hand_over
from application.services.device_cookies import DeviceCookies
from application.services.login_guard import attempt_key
from application.services.new_device import NewDeviceAlert
from application.services.provider_links import link_provider, linked_account
from application.services.second_step import Challenge, SecondStep
from application.services.session_tokens import IssuedTokens, SessionIssuer
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import (
    AccessDenied,
    AccountAlreadyLinked,
    DomainError,
    EmailNotVerified,
    EmailTaken,
    InvalidState,
    LinkPending,
    MfaRequired,
    ProviderError,
    ProviderNotConfigured,
    ReauthFailed,
)
from domain.flows import PendingLink, ProviderFlow
from domain.identities import (
    ProviderIdentity,
    SignInPath,
    choose_sign_in_path,
)
from domain.ownership import require_proven_address
from domain.users import User


@dataclass(frozen=True, slots=True)
class ProviderCallback:
    provider: str
    state: str | None
    code: str | None
    error: str | None
    browser_token: str | None
    device_cookie: str | None = field(default=None, repr=False)  # the browser's (DeviceCookies)
    sid: str | None = field(default=None, repr=False)  # the browser's session, for a re-authentication


@dataclass(frozen=True, slots=True)
class ProviderSignedIn:
    tokens: IssuedTokens | None  # None after a link: the browser keeps its session
    linked: bool
    redirect_path: str | None
    device_cookie: str | None = field(default=None, repr=False)  # a new one to set, or None
    reauthenticated: bool = False  # a re-authentication: the browser's session is fresh again


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteProviderSignIn:
    """Finish a provider sign-in: verify the flow, the identity, then one of four paths.

    - the flow is single use, unexpired, of this provider and of this browser;
    - an identity already linked signs its user in (its provider tokens are refreshed);
    - a signed-in user who asked to link gets it attached, unless it is someone else's
      (`provider_linked`, as every link: the events have the client's ip and user agent),
      or the account's email is unproven (AddressNotProven: nothing is added to an
      unproven address);
    - a provider-verified email of an existing user links and signs in; if that user had
      not verified the email, this proves ownership and the prover gets the account back
      whole (account_ownership.hand_over): sessions, password, other providers, phone go;
    - an unverified provider email that a user has is refused; when that user has a
      password and a proven address, the identity is kept as a pending link (LinkPending)
      for this browser, which the next password login to that user completes (see
      LoginWithPassword);
    - otherwise a new user, profile and account are created together. Two concurrent
      callbacks for one new identity make one user: the loser retries and signs in;
    - a sign-in (returning, or by a verified email) into an account with a second factor
      opens a challenge (MfaRequired, SecondStep) and no session: a provider is no way
      around the second factor. Its answers count toward this browser's lock as a password
      login's would; an identity found by email waits as a pending link that only the
      challenge names, attached once the second step is passed;
    - a sign-in from a new device (NewDeviceAlert) tells the owner, in its transaction;
    - a sign-in (not a link) gives the browser a device cookie for the user, unless it holds
      a valid one for that user already (DeviceCookies);
    - a re-authentication (started with reauth=true) signs nobody in and links nothing: when
      the identity is one linked to the account that started it and the browser's session is
      still that account's, the session is fresh from now (`reauthenticated`, with the
      provider); anything else, a refusal at the provider included, is ReauthFailed;
    - a sign-in reports `success`, one that awaits its second step `mfa_required`, a refused
      callback `failed` (Telemetry.login, the provider's name as method); a link is no sign-in
      and reports nothing.
    """

    providers: Mapping[str, IdentityProvider]
    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    ids: IdGenerator
    issuer: SessionIssuer
    new_device: NewDeviceAlert
    devices: DeviceCookies
    telemetry: Telemetry
    second_step: SecondStep
    current_user: GetCurrentUser
    policy: ProviderFlowPolicy = ProviderFlowPolicy()

    async def execute(self, callback: ProviderCallback, client: ClientInfo) -> ProviderSignedIn:
        try:
            signed_in = await self._complete(callback, client)
        except MfaRequired:
            self.telemetry.login(callback.provider, "mfa_required")
            raise
        except DomainError:
            self.telemetry.login(callback.provider, "failed")
            raise
        if signed_in.tokens is not None:
            self.telemetry.login(callback.provider, "success")
        return signed_in

    async def _complete(self, callback: ProviderCallback, client: ClientInfo) -> ProviderSignedIn:
        idp = self.providers.get(callback.provider)
        if idp is None:
            raise ProviderNotConfigured()
        flow = await self._consume_flow(callback)
        if flow.reauth:
            return await self._reauthenticate(idp, flow, callback, client)
        if callback.error:
            raise AccessDenied() if callback.error == "access_denied" else ProviderError()
        if not callback.code:
            raise ProviderError()
        identity = await idp.identify(
            code=callback.code, code_verifier=flow.code_verifier, nonce=flow.nonce
        )
        try:
            return await self._sign_in(identity, flow, client, callback.device_cookie)
        except EmailNotVerified:
            raise await self._keep_pending_link(identity) from None
        except (EmailTaken, AccountAlreadyLinked):
            # A concurrent callback created this identity first: now it is a returning one.
            return await self._sign_in(identity, flow, client, callback.device_cookie)

    async def _reauthenticate(
        self, idp: IdentityProvider, flow: ProviderFlow, callback: ProviderCallback, client: ClientInfo
    ) -> ProviderSignedIn:
        if callback.error or not callback.code:
            raise ReauthFailed()
        try:
            identity = await idp.identify(code=callback.code, code_verifier=flow.code_verifier, nonce=flow.nonce)
        except DomainError:
            raise ReauthFailed() from None
        user = await self.current_user.execute(callback.sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            account = await uow.linked_accounts.by_subject(identity.provider, identity.subject)
            if user is None or user.id != flow.link_user_id or account is None or account.user_id != user.id:
                raise ReauthFailed()
            await uow.linked_accounts.update_tokens(account.id, identity.tokens, now)
            session_id = await uow.sessions.session_id_by_sid(self.tokens.digests(callback.sid or ""))
            if session_id is None:  # revoked since it was read
                raise ReauthFailed()
            await uow.sessions.mark_signed_in(session_id, now)
            await uow.events.record(user.id, "reauthenticated", {"methods": [identity.provider]}, now, client)
            await uow.commit()
        return ProviderSignedIn(None, False, flow.redirect_path, reauthenticated=True)

    async def _consume_flow(self, callback: ProviderCallback) -> ProviderFlow:
        if not callback.state:
            raise InvalidState()
        # Used up whatever follows: a callback URL seen by another browser has leaked.
        async with self.new_uow() as uow:
            flow = await uow.flows.consume(self.tokens.digests(callback.state), self.clock.now())
            await uow.commit()
        browsers = self.tokens.digests(callback.browser_token) if callback.browser_token else ()
        if flow is None or flow.provider != callback.provider or flow.browser_digest not in browsers:
            raise InvalidState()
        return flow

    async def _sign_in(
        self, identity: ProviderIdentity, flow: ProviderFlow, client: ClientInfo, device_cookie: str | None
    ) -> ProviderSignedIn:
        now = self.clock.now()
        async with self.new_uow() as uow:
            account = await uow.linked_accounts.by_subject(identity.provider, identity.subject)
            email_owner = None
            if account is None and flow.link_user_id is None and identity.normalized_email:
                email_owner = await uow.users.by_email(identity.normalized_email)
            path = choose_sign_in_path(identity, account, flow.link_user_id, email_owner)
            challenge = None
            if path is SignInPath.RETURNING:
                user_id = account.user_id
                await uow.linked_accounts.update_tokens(account.id, identity.tokens, now)
                challenge = await self._challenge(uow, user_id, identity.provider, device_cookie, now)
            elif path is SignInPath.LINK_CURRENT:
                user_id = flow.link_user_id
                require_proven_address(await uow.users.by_id(user_id))
                await self._link(uow, user_id, identity, client, now)
            elif path is SignInPath.LINK_BY_EMAIL:
                user_id = email_owner.id
                await hand_over(uow, email_owner, {"provider": identity.provider}, client, now)
                challenge = await self._link_after_second_step(uow, email_owner, identity, device_cookie, now)
                if challenge is None:
                    await self._link(uow, user_id, identity, client, now)
            else:
                user_id = await self._create_user(uow, identity, now)
            linked = path is SignInPath.LINK_CURRENT
            tokens = None
            if not linked and challenge is None:
                await self.new_device.check(uow, await uow.users.by_id(user_id), client, now)
                tokens = await self.issuer.open(uow, user_id, now, client, identity.provider)
            await uow.commit()
        if challenge is not None:
            raise MfaRequired(challenge.token, challenge.methods, challenge.expires_at)
        new_cookie = self.devices.for_sign_in(device_cookie, user_id) if tokens is not None else None
        return ProviderSignedIn(tokens, linked, flow.redirect_path, new_cookie)

    async def _challenge(
        self, uow: UnitOfWork, user_id: UUID, provider: str, device_cookie: str | None, now: datetime,
        pending_link: str | None = None,
    ) -> Challenge | None:
        """The second step this sign-in needs, if any: its answers count toward the lock of
        this browser (its device's, or the account's), as a password login's would."""
        user = await uow.users.by_id(user_id)
        lock_key = attempt_key(user, "", self.devices.recognise(device_cookie, user_id))
        return await self.second_step.challenge(uow, user_id, provider, lock_key, now, pending_link)

    async def _link_after_second_step(
        self, uow: UnitOfWork, owner: User, identity: ProviderIdentity, device_cookie: str | None,
        now: datetime,
    ) -> Challenge | None:
        """For an account with a second factor, the identity waits as a pending link that only
        the challenge names (no browser cookie): the second step attaches it, or nothing does."""
        pending_token = self.tokens.new_token()
        challenge = await self._challenge(uow, owner.id, identity.provider, device_cookie, now, pending_token)
        if challenge is not None:
            await uow.pending_links.add(PendingLink(
                self.tokens.digest(pending_token), owner.id, identity, now, now + self.policy.pending_link_ttl,
            ))
        return challenge

    async def _keep_pending_link(self, identity: ProviderIdentity) -> EmailNotVerified:
        """Keep the identity for the account's owner to link by proving the password in
        this browser; an account without a password could never complete it, and one whose
        address is unproven may not gain a provider."""
        now = self.clock.now()
        async with self.new_uow() as uow:
            owner = await uow.users.by_email(identity.normalized_email)
            if owner is None or not owner.has_password or owner.address_unproven:
                return EmailNotVerified()
            browser_token = self.tokens.new_token()
            await uow.pending_links.add(PendingLink(
                self.tokens.digest(browser_token), owner.id, identity, now,
                now + self.policy.pending_link_ttl,
            ))
            await uow.commit()
        return LinkPending(identity.provider, browser_token)

    async def _link(
        self, uow: UnitOfWork, user_id: UUID, identity: ProviderIdentity, client: ClientInfo, now: datetime
    ) -> None:
        await link_provider(uow, self.ids.new_id(), user_id, identity, client, now)

    async def _create_user(self, uow: UnitOfWork, identity: ProviderIdentity, now: datetime) -> UUID:
        email = identity.normalized_email
        user = User(
            id=self.ids.new_id(),
            email=email,
            created_at=now,
            email_verified_at=now if email and identity.email_verified else None,
            profile=identity.profile(),
        )
        await uow.users.add(user)
        await uow.linked_accounts.add(linked_account(self.ids.new_id(), user.id, identity, now))
        return user.id
