from dataclasses import dataclass
from datetime import datetime

from application.policy import LoginLimits
from application.ports.limits import AttemptCounter
from domain.errors import AccountLocked, RateLimited


@dataclass(frozen=True, slots=True)
class LoginGuard:
    counter: AttemptCounter
    limits: LoginLimits

    async def admit(self, identifier: str, ip: str | None, now: datetime) -> None:
        """Refuse before any password work: flooding address, or locked identifier."""
        if ip:
            window = await self.counter.hit(f"login-ip:{ip}", self.limits.ip_window, now)
            if window.hits > self.limits.per_ip:
                raise RateLimited(window.retry_after(now))
        failures = await self.counter.peek(self._failure_key(identifier), self.limits.lockout, now)
        if failures and failures.hits >= self.limits.failures:
            raise AccountLocked(failures.retry_after(now))

    async def failed(self, identifier: str, now: datetime) -> None:
        await self.counter.hit(self._failure_key(identifier), self.limits.lockout, now)

    async def succeeded(self, identifier: str) -> None:
        await self.counter.clear(self._failure_key(identifier))

    @staticmethod
    def _failure_key(identifier: str) -> str:
        return f"login-failures:{identifier.strip().lower()}"
