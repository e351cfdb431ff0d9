"""Counting password attempts before they are checked, and the locks they set.

- every password check is counted before it is done, in one atomic step, so at most
  `limits.failures` checks happen per lock, however requests arrive;
- an attempt from a browser holding a valid device cookie for the account (KnownDevice) is
  counted under that device's own key: its failures lock only that browser;
- any other attempt is counted under the account's key, whichever of its identifiers was
  typed: that lock binds every browser without the account's device cookie, so failures
  typed elsewhere never lock the owner's own browsers out;
- an unknown identifier is counted under a digest of what was typed: it locks, and answers,
  as an account does;
- a success clears the key it was counted under, and only that one;
- lifting the account's locks (the unlock link, a password reset) clears its own key and
  every one of its devices' keys;
- keys are short and hold digests only, never typed text nor a cookie's value.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.policy import LoginLimits
from application.ports.limits import AttemptCounter
from application.services.address_limit import AddressLimiter, counter_key
from application.services.device_cookies import KnownDevice
from domain.errors import AccountLocked
from domain.users import User

DEVICE_SCOPE = "login-device"


@dataclass(frozen=True, slots=True)
class Attempt:
    key: str  # the counter this attempt was counted under, which a success clears
    locks: bool  # this attempt is the limit-th: failing, it sets the lock


@dataclass(frozen=True, slots=True)
class LoginGuard:
    counter: AttemptCounter
    limits: LoginLimits

    async def admit_address(self, ip: str | None, now: datetime) -> None:
        """Refuse a flooding address before any other work."""
        await AddressLimiter(self.counter, "login-ip", self.limits.per_address).admit(ip, now)

    async def admit_attempt(self, user: User | None, identifier: str, now: datetime) -> str:
        """Count this password attempt against the account, or refuse it (locked).
        Answers the account's key, which a successful login then clears."""
        return (await self.admit(user, identifier, now)).key

    async def admit(
        self, user: User | None, identifier: str, now: datetime, device: KnownDevice | None = None
    ) -> Attempt:
        """Count this attempt under its key (see the module's rules), or refuse it (locked);
        also tell whether this attempt, if it fails, sets the lock."""
        return await self.admit_key(attempt_key(user, identifier, device), now)

    async def admit_key(self, key: str, now: datetime) -> Attempt:
        """Count an attempt under a key already chosen (a second step counts under the key
        its first factor was counted under), or refuse it (locked)."""
        window = await self.counter.hit_toward_lock(
            key, self.limits.failures, self.limits.lockout, now
        )
        if window.hits > self.limits.failures:
            raise AccountLocked(window.retry_after(now))
        # The counter answers each hit a distinct count: exactly one attempt per lock is this one.
        return Attempt(key, locks=window.hits == self.limits.failures)

    async def succeeded(self, key: str) -> None:
        await self.counter.clear(key)

    async def lift_all(self, user: User) -> None:
        """Every lock of the account: the one on unknown browsers and each device's own."""
        await self.counter.clear(account_key(user, ""))
        await self.counter.clear_prefix(device_prefix(user.id))


def attempt_key(user: User | None, identifier: str, device: KnownDevice | None) -> str:
    if user is not None and device is not None and device.user_id == user.id:
        return device_key(device)
    return account_key(user, identifier)


def account_key(user: User | None, identifier: str) -> str:
    """One lock per account, whichever of its identifiers was typed. An unknown
    identifier is counted under its own digest, so it locks, and answers, the same."""
    if user is not None:
        return counter_key("login-account", f"user:{user.id}")
    return counter_key("login-account", f"typed:{identifier.strip().lower()}")


def device_prefix(user_id: UUID) -> str:
    """What the keys of all an account's devices begin with (and nothing else's)."""
    return f"{DEVICE_SCOPE}:{user_id.hex}:"


def device_key(device: KnownDevice) -> str:
    """One lock per device of an account: its prefix and a digest of the cookie's nonce."""
    return device_prefix(device.user_id) + hashlib.sha256(device.nonce.encode()).hexdigest()
