"""When to try a message again, and what a provider's answer means (the contract's "Delivery")."""

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=10)
MAX_ATTEMPTS = 8
MAX_AGE = timedelta(hours=24)


class DeliveryError(Exception):
    """A channel could not hand the message over. `retryable`: the outbox tries again later
    (network error, 429, 5xx); otherwise the message fails at once (any other 4xx)."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.retryable = retryable


def retryable_status(status: int) -> bool:
    """429 (too many requests) and 5xx may succeed later; another 4xx never will."""
    return status == 429 or status >= 500


def failed_answer(provider: str, status: int, detail: str = "") -> DeliveryError:
    reason = f"{provider} answered {status}" + (f": {detail[:500]}" if detail else "")
    return DeliveryError(reason, retryable=retryable_status(status))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 2 s, 4 s, 8 s... at most 10 min."""
    doublings = min(attempts - 1, 20)  # far past MAX_DELAY already; no overflow
    return min(FIRST_RETRY * 2**doublings, MAX_DELAY)


def give_up(attempts: int, created_at: datetime, now: datetime) -> bool:
    """After 8 tries, or once the message is a day old, it is abandoned."""
    return attempts >= MAX_ATTEMPTS or now - created_at >= MAX_AGE
