from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Window:
    hits: int
    resets_at: datetime

    def retry_after(self, now: datetime) -> int:
        return max(1, int((self.resets_at - now).total_seconds() + 0.999))


class AttemptCounter(Protocol):
    """Counters shared by every process of the service. Each hit is one atomic step that
    answers the count including itself, so concurrent callers each see a distinct count.
    Keys are short (a scope and a digest): never raw text that people typed."""

    @abstractmethod
    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        """Count one attempt in a fixed window; a window that has ended starts over."""

    @abstractmethod
    async def hit_toward_lock(
        self, key: str, limit: int, lockout: timedelta, now: datetime
    ) -> Window:
        """Count one attempt of a run, where each attempt comes within `lockout` of the
        one before. The `limit`-th attempt sets a lock lasting `lockout` from itself:
        attempts during the lock are counted (above `limit`) but do not extend it. A run
        is forgotten after `lockout` without attempts, as is a lock when it ends."""

    @abstractmethod
    async def clear(self, key: str) -> None: ...

    @abstractmethod
    async def clear_prefix(self, prefix: str) -> None:
        """Forget every counter whose key begins with `prefix` (a scope and what follows
        it, e.g. all the devices of one account); other keys are left alone."""
