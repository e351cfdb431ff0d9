from dataclasses import dataclass
from datetime import datetime

from application.policy import LoginLimits
from application.ports.limits import AttemptCounter
from application.use_cases.address_limit import AddressLimiter, counter_key
from domain.errors import AccountLocked
from domain.users import User


@dataclass(frozen=True, slots=True)
class Attempt:
    key: str  # the account's counter key, which a success clears
    locks: bool  # this attempt is the limit-th: failing, it sets the lock


@dataclass(frozen=True, slots=True)
class LoginGuard:
    """Every password check is counted before it is done, in one atomic step, so at
    most `limits.failures` checks happen per lock, however requests arrive."""

    counter: AttemptCounter
    limits: LoginLimits

    async def admit_address(self, ip: str | None, now: datetime) -> None:
        """Refuse a flooding address before any other work."""
        await AddressLimiter(self.counter, "login-ip", self.limits.per_address).admit(ip, now)

    async def admit_attempt(self, user: User | None, identifier: str, now: datetime) -> str:
        """Count this password attempt against the account, or refuse it (locked).
        Answers the account's key, which a successful login then clears."""
        return (await self.admit(user, identifier, now)).key

    async def admit(self, user: User | None, identifier: str, now: datetime) -> Attempt:
        """As admit_attempt, also telling whether this attempt, if it fails, sets the lock."""
        key = account_key(user, identifier)
        window = await self.counter.hit_toward_lock(
            key, self.limits.failures, self.limits.lockout, now
        )
        if window.hits > self.limits.failures:
            raise AccountLocked(window.retry_after(now))
        # The counter answers each hit a distinct count: exactly one attempt per lock is this one.
        return Attempt(key, locks=window.hits == self.limits.failures)

    async def succeeded(self, account: str) -> None:
        await self.counter.clear(account)


def account_key(user: User | None, identifier: str) -> str:
    """One lock per account, whichever of its identifiers was typed. An unknown
    identifier is counted under its own digest, so it locks, and answers, the same."""
    if user is not None:
        return counter_key("login-account", f"user:{user.id}")
    return counter_key("login-account", f"typed:{identifier.strip().lower()}")
