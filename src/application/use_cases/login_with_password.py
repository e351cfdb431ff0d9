from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, PasswordHasher, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.device_cookies import DeviceCookies
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.services.new_device import NewDeviceAlert
from application.services.outcomes import login_outcome
from application.services.provider_links import attach_pending_link, pending_link_attaches
from application.services.second_step import SecondStep
from application.services.session_tokens import SessionIssuer, SignedIn
from domain.clients import ClientInfo
from domain.credentials import check_password_length, normalize_identifier
from domain.errors import (
    AccountGone, AccountLocked, DomainError, InvalidCredentials, MfaRequired, SocialOnlyAccount,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginWithPassword:
    """Sign in with an email or a username and a password.

    - an unknown identifier costs the same hashing work as a known one;
    - an account without a password answers social_only with its providers;
    - a hash made with old parameters (or imported bcrypt) is upgraded on success;
    - a flooding address is rate limited before any other work;
    - every password check is counted before it is done (LoginGuard), so after
      `LoginLimits.failures` in a row (whichever identifier was typed) the account is locked
      for `LoginLimits.lockout` from the last of them,
      for every browser without the account's device cookie; a browser with a valid one
      (`device_cookie`) is counted and locked on its own, so it still signs in during the
      account's lock; an unknown identifier is counted and locked as an account is;
    - a successful login clears the count it was counted under;
    - the failed attempt that sets a lock (the account's or a device's) tells the LockNotice
      (once per lock: the refused attempts during it are not checked), when the identifier
      is an account's;
    - a successful login gives the browser a device cookie for the account, unless it holds
      a valid one already (DeviceCookies: another account's, or a forged one, is replaced);
    - no database connection is held while the password is checked;
    - when the bounded queue of password work is full, it answers busy at once, before
      any of the above (nothing is counted);
    - a sign-in from a new device (NewDeviceAlert) tells the owner, in its transaction;
    - an account with a second factor (SecondStep) is not signed in by its password alone:
      a right password opens a challenge (MfaRequired, with its cookie) and no session, sends
      no new-device alert, gives no device cookie and leaves the pending link where it is
      (VerifySecondStep completes all of it), and the attempt count is not cleared: wrong
      answers add to it;
    - a successful login in a browser holding a pending link (`pending_link`, its cookie)
      uses it up: the provider identity is attached when the link is unexpired and meant
      for this very account (the password is the proof) and the account's email is proven,
      else it is dropped. A failed
      login leaves it. If the identity or the account's slot for that provider was taken
      meanwhile, nothing is linked and the login still succeeds;
    - every attempt reports its outcome (Telemetry.login, method `password`); a wrong password
      and an attempt refused by a lock each report `login_failed` (reason `invalid_credentials`
      or `locked`), and the attempt that sets a lock `account_locked`, with the account's id
      when the identifier is an account's;
    - an account deleted while its password was checked (AccountGone: what the sign-in
      writes met its row gone) answers invalid_credentials, as an unknown identifier does
      (reported `login_failed` without the id), and nothing of the sign-in is kept.
    """

    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    issuer: SessionIssuer
    guard: LoginGuard
    tokens: TokenMinter
    ids: IdGenerator
    lock_notice: LockNotice
    new_device: NewDeviceAlert
    devices: DeviceCookies
    telemetry: Telemetry
    second_step: SecondStep

    async def execute(
        self, identifier: str, password: str, client: ClientInfo, pending_link: str | None = None,
        device_cookie: str | None = None,
    ) -> SignedIn:
        try:
            signed_in = await self._attempt(identifier, password, client, pending_link, device_cookie)
        except DomainError as refusal:
            self.telemetry.login("password", login_outcome(refusal))
            raise
        self.telemetry.login("password", "success")
        return signed_in

    async def _attempt(
        self, identifier: str, password: str, client: ClientInfo, pending_link: str | None,
        device_cookie: str | None,
    ) -> SignedIn:
        check_password_length(password)
        identifier = normalize_identifier(identifier)
        async with self.hasher.reserve():
            return await self._sign_in(identifier, password, client, pending_link, device_cookie)

    async def _sign_in(
        self, identifier: str, password: str, client: ClientInfo, pending_link: str | None,
        device_cookie: str | None,
    ) -> SignedIn:
        await self.guard.admit_address(client.ip, self.clock.now())
        async with self.new_uow() as uow:
            user = await uow.users.by_login(identifier)
        if user is not None and user.password_hash is None and user.providers:
            raise SocialOnlyAccount(user.providers)  # no password to guess
        device = self.devices.recognise(device_cookie, user.id) if user is not None else None
        user_id = user.id if user is not None else None
        try:
            attempt = await self.guard.admit(user, identifier, self.clock.now(), device)
        except AccountLocked:
            self.telemetry.security("login_failed", client.ip, user_id, reason="locked")
            raise
        check = await self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not check.valid:
            self.telemetry.security("login_failed", client.ip, user_id, reason="invalid_credentials")
            if attempt.locks:
                self.telemetry.security("account_locked", client.ip, user_id)
                if user is not None:
                    await self.lock_notice.send(user, client)
            raise InvalidCredentials()
        new_hash = await self.hasher.hash(password) if check.needs_rehash else None
        now = self.clock.now()
        try:
            async with self.new_uow() as uow:
                if new_hash is not None:
                    await uow.users.set_password_hash(user.id, new_hash)
                    user.password_hash = new_hash
                challenge = await self.second_step.challenge(uow, user.id, "password", attempt.key, now, pending_link)
                if challenge is None:
                    await self.new_device.check(uow, user, client, now)
                    tokens = await self.issuer.open(uow, user.id, now, client, "password")
                    pending = (
                        await uow.pending_links.take(self.tokens.digests(pending_link), now) if pending_link else None
                    )
                await uow.commit()
        except AccountGone:
            self.telemetry.security("login_failed", client.ip, None, reason="invalid_credentials")
            raise InvalidCredentials() from None
        if challenge is not None:  # the count stays until the second step is passed
            raise MfaRequired(challenge.token, challenge.methods, challenge.expires_at)
        await self.guard.succeeded(attempt.key)
        linked = (
            await attach_pending_link(self.new_uow, self.ids, self.clock, user, pending, client)
            if pending_link_attaches(pending, user) else None
        )
        new_cookie = None if device is not None else self.devices.issue(user.id)
        return SignedIn(user, tokens, linked, new_cookie)
