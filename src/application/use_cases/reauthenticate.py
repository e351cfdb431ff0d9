from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from application.policy import FreshnessPolicy
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, PasswordHasher, TokenMinter
from application.services.freshness import mark_fresh
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.credentials import check_password_length
from domain.errors import InvalidCode, InvalidInput, InvalidPassword
from domain.second_factor import PASSWORD, TOTP
from domain.totp import match_totp, normalize_totp_code
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class Reauthenticate:
    """Make this session fresh again (POST /auth/reauth) with what the account signs in with.

    - a session is needed (401);
    - what is asked: the password when the account has one, and a TOTP code when its TOTP is
      on; a missing one, or one given that the account does not have, is a bad input (400),
      as is an account with neither (it proves itself through its provider, or a passkey:
      ReauthenticateWithPasskey, instead);
    - the request is counted before anything is checked, with the login's failures under the
      account's key, whatever device cookie the browser holds (a stolen session gets no
      guesses of its own; 423 once locked, and the attempt that sets the lock tells the
      LockNotice); a right one clears that count;
    - the password is checked first (403 invalid_password), then the code (400 invalid_code):
      a code is accepted within one step of now and after the last one accepted (no replay);
    - right: the session is fresh from now (its sign-in time moves; a refresh keeps it),
      `reauthenticated` is recorded with the methods used, and the answer is until when it
      stays fresh (`FreshnessPolicy.max_age`);
    - when the bounded queue of password work is full, it answers busy at once (nothing counted).
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenMinter
    clock: Clock
    guard: LoginGuard
    lock_notice: LockNotice
    policy: FreshnessPolicy

    async def execute(
        self, sid: str | None, client: ClientInfo, *, password: str | None = None, code: str | None = None
    ) -> datetime:
        user = await self.current_user.require(sid)
        async with self.new_uow() as uow:
            totp = await uow.totp.get(user.id)
        methods = _methods_asked(user, totp is not None and totp.enabled, password, code)
        typed = normalize_totp_code(code) if code is not None else None
        if code is not None and typed is None:
            raise InvalidInput("code", "is the 6 digits the app shows")
        async with self.hasher.reserve() if password is not None else nullcontext():
            attempt = await self.guard.admit(user, "", self.clock.now())
            try:
                now = await self._prove(user, sid or "", password, typed, methods, client)
            except (InvalidPassword, InvalidCode):
                if attempt.locks:
                    await self.lock_notice.send(user, client)
                raise
        await self.guard.succeeded(attempt.key)
        return now + self.policy.max_age

    async def _prove(
        self, user: User, sid: str, password: str | None, code: str | None, methods: list[str],
        client: ClientInfo,
    ) -> datetime:
        if password is not None and not (await self.hasher.verify(password, user.password_hash)).valid:
            raise InvalidPassword()
        now = self.clock.now()
        async with self.new_uow() as uow:
            if code is not None:
                totp = await uow.totp.get(user.id)
                step = match_totp(totp.secret, code, now, totp.last_step) if totp is not None else None
                if step is None or not await uow.totp.accept_step(user.id, step):
                    raise InvalidCode()
            await mark_fresh(uow, self.tokens, user, sid, methods, client, now)
            await uow.commit()
        return now


def _methods_asked(user: User, totp_on: bool, password: str | None, code: str | None) -> list[str]:
    """What this account proves itself with here, each required and nothing else accepted."""
    if not user.has_password and not totp_on:
        raise InvalidInput("password", "this account proves itself through its provider")
    if user.has_password and not password:
        raise InvalidInput("password", "is required: this account has a password")
    if not user.has_password and password is not None:
        raise InvalidInput("password", "this account has no password")
    if password is not None:
        check_password_length(password)
    if totp_on and code is None:
        raise InvalidInput("code", "is required: this account has two-step verification on")
    if not totp_on and code is not None:
        raise InvalidInput("code", "this account has no two-step verification")
    return ([PASSWORD] if user.has_password else []) + ([TOTP] if totp_on else [])
