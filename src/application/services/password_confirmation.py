from dataclasses import dataclass

from application.ports.security import Clock, PasswordHasher
from application.services.login_guard import LoginGuard
from domain.credentials import check_password_length
from domain.errors import InvalidInput, InvalidPassword
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPassword:
    """The password asked again before a sensitive change (email, password), by a session.

    - an account with a password must give it (400 when missing, 403 invalid_password when
      wrong); an account without one (signed in by a provider) needs none;
    - each check is counted with the login's failures under the account's key, before it is
      done, whatever device cookie the browser holds: a stolen session (whose browser may
      hold the device cookie too) gets no guesses of its own beside the login's (the account
      locks, 423); a right one clears the account's count. So during a lock set from other
      browsers the owner's confirmation is refused too (423), until the lock ends or the
      unlock link it mailed lifts it;
    - the hash is checked off the event loop (the PasswordHasher adapter's job).
    """

    hasher: PasswordHasher
    guard: LoginGuard
    clock: Clock

    async def check(self, user: User, password: str | None, field: str) -> None:
        if not user.has_password:
            return
        if not password:
            raise InvalidInput(field, "is required: this account has a password")
        check_password_length(password)
        account = await self.guard.admit_attempt(user, "", self.clock.now())
        if not (await self.hasher.verify(password, user.password_hash)).valid:
            raise InvalidPassword()
        await self.guard.succeeded(account)
