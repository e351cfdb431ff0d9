"""When to try a message again, and how long it is worth trying (the contract's "Delivery").
Whether a failed try may be tried again at all is the channel's word (DeliveryError.retryable,
infrastructure/messaging/delivery_error.py).

A message is tried until its deadline (`deliver_until`, set when it is enqueued): as long
as what it carries can still be used (the life of its link or code), a day for a notice.
Between tries: FIRST_RETRY, doubling, at most MAX_DELAY, and never before a provider's
`Retry-After`. A retry that would come after the deadline is not made: the message is
abandoned instead."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from application.policy import EmailLinkPolicy, PhoneCodePolicy
from application.ports.messages import (
    EMAIL_CHANGE,
    IDENTIFIER_LOCKED,
    PASSWORD_RESET,
    PHONE_CODE,
    VERIFY_EMAIL,
)

FIRST_RETRY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=5)
NOTICE_LIFETIME = timedelta(hours=24)  # a notice (password changed, new device...) is news for a day

# How long each kind of message is worth delivering: the life of the link or code it carries
# (the use cases' policies), a day for notices (every template not listed here).
USEFUL_FOR: dict[str, timedelta] = {
    PASSWORD_RESET: EmailLinkPolicy().reset_link_ttl,
    PHONE_CODE: PhoneCodePolicy().code_ttl,
    VERIFY_EMAIL: EmailLinkPolicy().link_ttl,
    EMAIL_CHANGE: EmailLinkPolicy().link_ttl,
    IDENTIFIER_LOCKED: EmailLinkPolicy().unlock_ttl,  # the unlock link
}


def deliver_until(template: str, enqueued_at: datetime) -> datetime:
    """The message's deadline: past it, delivering it is of no use."""
    return enqueued_at + USEFUL_FOR.get(template, NOTICE_LIFETIME)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: FIRST_RETRY, doubled each time, at most MAX_DELAY."""
    doublings = min(max(attempts - 1, 0), 20)  # far past MAX_DELAY already; no overflow
    return min(FIRST_RETRY * 2**doublings, MAX_DELAY)


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """When a Retry-After header lets us come back: delay-seconds or an HTTP date; None when
    absent or unreadable (the backoff alone decides then)."""
    if value is None or not (value := value.strip()):
        return None
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def next_attempt(
    attempts: int, now: datetime, deadline: datetime, not_before: datetime | None = None
) -> datetime | None:
    """When to try again after the `attempts`-th failed try: the backoff, and not before the
    provider's Retry-After. None: that would be past the deadline, the message is abandoned."""
    due = now + retry_delay(attempts)
    if not_before is not None:
        due = max(due, not_before)
    return due if due < deadline else None


def expired(deadline: datetime, now: datetime) -> bool:
    """Whether a message not yet sent is past use (a dispatcher that was down, or late)."""
    return now >= deadline
