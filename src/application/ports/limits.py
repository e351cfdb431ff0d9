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
    """Fixed-window counters shared by every process of the service."""

    @abstractmethod
    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        """Count one attempt, atomically; a window that has ended starts over."""

    @abstractmethod
    async def peek(self, key: str, window: timedelta, now: datetime) -> Window | None:
        """The running window, or None when there is none."""

    @abstractmethod
    async def clear(self, key: str) -> None: ...
