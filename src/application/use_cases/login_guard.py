from datetime import datetime

from application.policy import LoginLimits
from application.ports.limits import AttemptCounter
from domain.errors import AccountLocked, RateLimited


class LoginGuard:
    def __init__(self, counter: AttemptCounter, limits: LoginLimits) -> None:
        self._counter = counter
        self._limits = limits

    async def admit(self, identifier: str, ip: str | None, now: datetime) -> None:
        """Refuse before any password work: flooding address, or locked identifier."""
        if ip:
            window = await self._counter.hit(f"login-ip:{ip}", self._limits.ip_window, now)
            if window.hits > self._limits.per_ip:
                raise RateLimited(window.retry_after(now))
        failures = await self._counter.peek(self._failure_key(identifier), self._limits.lockout, now)
        if failures and failures.hits >= self._limits.failures:
            raise AccountLocked(failures.retry_after(now))

    async def failed(self, identifier: str, now: datetime) -> None:
        await self._counter.hit(self._failure_key(identifier), self._limits.lockout, now)

    async def succeeded(self, identifier: str) -> None:
        await self._counter.clear(self._failure_key(identifier))

    @staticmethod
    def _failure_key(identifier: str) -> str:
        return f"login-failures:{identifier.strip().lower()}"
