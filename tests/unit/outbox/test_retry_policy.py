"""Retries as the contract's "Delivery" says: about 2 s first, doubling, at most 5 min apart,
never before a provider's Retry-After, for as long as the message is useful (its deadline,
from its template)."""

from datetime import UTC, datetime, timedelta

import pytest

from application.ports.messages import (
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    IDENTIFIER_LOCKED,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    PHONE_CODE,
    VERIFY_EMAIL,
)
from infrastructure.outbox.retry_policy import deliver_until, expired, next_attempt, retry_after, retry_delay

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("template", "useful_for"), [
    (PASSWORD_RESET, timedelta(minutes=15)),
    (PHONE_CODE, timedelta(minutes=10)),
    (VERIFY_EMAIL, timedelta(hours=24)),
    (EMAIL_CHANGE, timedelta(hours=24)),
    (IDENTIFIER_LOCKED, timedelta(hours=1)),
    (PASSWORD_CHANGED, timedelta(hours=24)),
    (NEW_DEVICE, timedelta(hours=24)),
    (EMAIL_CHANGE_NOTICE, timedelta(hours=24)),
    ("a_template_added_later", timedelta(hours=24)),  # a notice unless listed
])
def test_each_message_is_worth_delivering_as_long_as_what_it_carries(template, useful_for):
    assert deliver_until(template, T0) == T0 + useful_for


def test_the_backoff_starts_at_2_seconds_and_doubles():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [2, 4, 8, 16, 32, 64, 128, 256]


def test_the_backoff_never_exceeds_5_minutes():
    assert retry_delay(9) == retry_delay(10) == retry_delay(500) == timedelta(minutes=5)


def test_the_next_attempt_follows_the_backoff_within_the_deadline():
    deadline = T0 + timedelta(hours=24)
    assert next_attempt(1, T0, deadline) == T0 + timedelta(seconds=2)
    assert next_attempt(30, T0, deadline) == T0 + timedelta(minutes=5)


def test_a_retry_that_would_pass_the_deadline_abandons_instead():
    deadline = T0 + timedelta(minutes=15)
    assert next_attempt(9, deadline - timedelta(minutes=5, seconds=1), deadline) is not None
    assert next_attempt(9, deadline - timedelta(minutes=5), deadline) is None
    assert next_attempt(1, deadline - timedelta(seconds=1), deadline) is None


def test_retry_after_seconds_and_http_dates_are_read():
    assert retry_after("3", T0) == T0 + timedelta(seconds=3)
    assert retry_after(" 120 ", T0) == T0 + timedelta(minutes=2)
    assert retry_after("Thu, 01 Jan 2026 00:01:30 GMT", T0) == T0 + timedelta(seconds=90)
    assert retry_after(None, T0) is None
    assert retry_after("", T0) is None
    assert retry_after("soon", T0) is None and retry_after("-5", T0) is None


def test_a_retry_after_longer_than_the_backoff_delays_the_next_attempt():
    deadline = T0 + timedelta(minutes=15)
    assert next_attempt(1, T0, deadline, retry_after("3", T0)) == T0 + timedelta(seconds=3)
    assert next_attempt(5, T0, deadline, retry_after("3", T0)) == T0 + timedelta(seconds=32)  # backoff longer
    later = retry_after("Thu, 01 Jan 2026 00:10:00 GMT", T0)
    assert next_attempt(1, T0, deadline, later) == T0 + timedelta(minutes=10)


def test_a_retry_after_past_the_deadline_abandons():
    assert next_attempt(1, T0, T0 + timedelta(minutes=10), retry_after("600", T0)) is None
    assert next_attempt(1, T0, T0 + timedelta(minutes=10), retry_after("599", T0)) is not None


def test_a_message_unsent_at_its_deadline_is_past_use():
    assert not expired(T0 + timedelta(minutes=15), T0 + timedelta(minutes=14, seconds=59))
    assert expired(T0 + timedelta(minutes=15), T0 + timedelta(minutes=15))
