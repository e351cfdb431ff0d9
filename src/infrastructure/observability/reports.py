"""What the infrastructure's own loops report, for the metrics (metrics.Metrics implements it).
Kept apart from the metrics so that a process without METRICS_PORT never loads them: the
loops are then given no observer."""

from abc import abstractmethod
from typing import Literal, Protocol

# An outbox delivery's outcome: taken by the provider, to be tried again, refused for good, or
# given up at its deadline.
MessageOutcome = Literal["sent", "retried", "failed", "abandoned"]


class OutboxObserver(Protocol):
    @abstractmethod
    def message(self, channel: str, outcome: MessageOutcome) -> None: ...

    @abstractmethod
    def dispatcher_running(self, running: bool) -> None:
        """The delivery loop of this process started (True) or stopped (False)."""
