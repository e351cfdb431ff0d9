"""What a provider's answer means for a message: DeliveryError, raised by every sender.
Whether and when it is tried again is the outbox's (infrastructure/outbox/retry_policy.py)."""

# Answers whose Retry-After says when to come back (RFC 9110 and RFC 6585).
RETRY_AFTER_STATUSES = (429, 503)


class DeliveryError(Exception):
    """A sender could not hand the message over. `retryable`: the outbox tries again later
    (network error, 429, 5xx); otherwise the message fails at once (any other 4xx).
    `retry_after`: the provider's Retry-After header as received (seconds or an HTTP date)."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after


def retryable_status(status: int) -> bool:
    """429 (too many requests) and 5xx may succeed later; another 4xx never will."""
    return status == 429 or status >= 500


def failed_answer(provider: str, status: int, detail: str = "", retry_after: str | None = None) -> DeliveryError:
    reason = f"{provider} answered {status}" + (f": {detail[:500]}" if detail else "")
    return DeliveryError(
        reason, retryable=retryable_status(status),
        retry_after=retry_after if status in RETRY_AFTER_STATUSES else None,
    )
